import type { DedupSpec } from './dedup-spec.js';
import { DedupFieldMissingError } from './errors.js';

/**
 * The text a record is deduplicated on: the spec's fields, in spec order, joined by a newline
 * (normalisation turns it into a word break, so "question + answer" is one document, as dedup.md
 * §4.1 step 3 recommends). Strings are used as they are; any other value (number, boolean, null,
 * array, object) is JSON-encoded, so structured outputs compare by content.
 *
 * A field path is first looked up as a literal key (a field may be named "a.b"), then walked one
 * dot-separated segment at a time through objects and arrays ("messages.0.content"). A missing field
 * throws instead of counting as empty text: otherwise every record lacking it would be an "exact
 * duplicate" of the first one and silently dropped.
 */
export const DEDUP_FIELD_SEPARATOR = '\n';

export function dedupTextOf(fields: Record<string, unknown>, spec: Pick<DedupSpec, 'fields'>, recordId?: string): string {
  const paths = spec.fields;
  if (paths.length === 1) return textOfValue(resolveField(fields, paths[0]!, recordId));
  return paths.map((path) => textOfValue(resolveField(fields, path, recordId))).join(DEDUP_FIELD_SEPARATOR);
}

function resolveField(fields: Record<string, unknown>, path: string, recordId: string | undefined): unknown {
  if (Object.hasOwn(fields, path) && fields[path] !== undefined) return fields[path];
  let current: unknown = fields;
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) {
      throw new DedupFieldMissingError(path, recordId);
    }
    current = (current as Record<string, unknown>)[segment];
  }
  if (current === undefined) throw new DedupFieldMissingError(path, recordId);
  return current;
}

function textOfValue(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

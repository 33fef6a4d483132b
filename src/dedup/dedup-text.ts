import { DedupFieldMissingError } from './errors.js';
import type { DedupSpec } from './dedup-spec.js';

/**
 * The text a record is deduplicated on: the spec's fields, in spec order, joined by a newline
 * (normalisation turns it into a word break, so "question + answer" is compared as one document).
 * Strings are used as they are; any other value (number, boolean, null, array, object) is
 * JSON-encoded, so structured outputs compare by content.
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
  const found = lookupFieldPath(fields, path);
  if (!found.found) throw new DedupFieldMissingError(path, recordId);
  return found.value;
}

/**
 * The raw value semantic dedup compares (unit-vector.ts checks it): the field `path` looked up as
 * dedupTextOf does, undefined when absent (or when there is no semantic field).
 */
export function semanticValueOf(fields: Record<string, unknown>, path: string | undefined): unknown {
  if (path === undefined) return undefined;
  const found = lookupFieldPath(fields, path);
  return found.found ? found.value : undefined;
}

/** A field by literal key first, then by dotted path; `found: false` when absent or undefined. */
export function lookupFieldPath(fields: Record<string, unknown>, path: string): { found: true; value: unknown } | { found: false } {
  if (Object.hasOwn(fields, path) && fields[path] !== undefined) return { found: true, value: fields[path] };
  let current: unknown = fields;
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return { found: false };
    current = (current as Record<string, unknown>)[segment];
  }
  return current === undefined ? { found: false } : { found: true, value: current };
}

function textOfValue(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

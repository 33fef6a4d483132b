/**
 * A stage file's record read off its line's text, its members located but not parsed: what emitting
 * splices into each of the record's samples (emit-samples.ts) instead of parsing the record and
 * serialising its fields and lineage again for every sample.
 *
 * Every stage line is written by `JSON.stringify` (stage-files.ts), and for such a text
 * `JSON.stringify(JSON.parse(text))` is the text itself: numbers are written in their shortest
 * round-trip form, strings with the same escapes, keys in the order parsing inserts them (integer-like
 * keys first, as they already are), and no key twice. So a member's text is what serialising the
 * parsed member writes, and splicing it gives the bytes the parsed record would.
 */
import { topLevelMembers } from './top-level-keys.js';

export interface RecordText {
  /** The record's id, parsed. */
  id: string;
  /** JSON texts of the members an output record repeats; `source` only when it is a non-empty string. */
  seedId: string | undefined;
  source: string | undefined;
  fields: string;
  lineage: string;
  /** The keys of `fields`, in order. */
  fieldKeys: readonly string[];
}

const QUOTE = 0x22;
const BACKSLASH = '\\';

/**
 * The record a stage line holds, as member texts, or undefined where the line is not the shape
 * emitting splices (a string id, an object of fields, an array lineage, a string source or none):
 * the caller then parses the line as before.
 */
export function recordText(line: string): RecordText | undefined {
  const members = topLevelMembers(line, 'fields');
  if (!members) return undefined;
  let id: string | undefined;
  let seedId: string | undefined;
  let source: string | undefined;
  let fields: string | undefined;
  let fieldKeys: readonly string[] | undefined;
  let lineage: string | undefined;
  for (const { key, start, end, keys } of members) {
    const first = line.charCodeAt(start);
    // Checked on the first character: the member scanner found where each value ends.
    if (key === 'id') {
      if (first !== QUOTE) return undefined;
      const raw = line.slice(start + 1, end - 1);
      id = raw.includes(BACKSLASH) ? (JSON.parse(line.slice(start, end)) as string) : raw;
    } else if (key === 'seedId') {
      seedId = line.slice(start, end);
    } else if (key === 'source') {
      if (first !== QUOTE) return undefined;
      // An empty source is left out, as `record.source ? … : …` leaves it out.
      source = end - start > 2 ? line.slice(start, end) : undefined;
    } else if (key === 'fields') {
      if (!keys) return undefined;
      fields = line.slice(start, end);
      fieldKeys = keys;
    } else if (key === 'lineage') {
      if (first !== 0x5b) return undefined;
      lineage = line.slice(start, end);
    }
  }
  if (id === undefined || fields === undefined || fieldKeys === undefined || lineage === undefined) return undefined;
  return { id, seedId, source, fields, lineage, fieldKeys };
}

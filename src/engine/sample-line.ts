/**
 * A sample's stage line: its record with the answer merged into its fields and the lineage entry
 * appended, the answer's JSON text spliced in rather than parsed and serialised again.
 */
import type { DataRecord, LineageEntry } from '../domain.js';
import { topLevelKeys } from './top-level-keys.js';
import type { RecordText } from './record-text.js';

/** A key V8 lists before all others in an object, whatever order it was added in. */
const INDEX_LIKE = /^\d+$/;

/**
 * `JSON.stringify` of the output record `{ id, seedId, source?, fields: { ...record.fields, ...answer },
 * lineage: [...record.lineage, entry] }`, with the answer's JSON text (as collecting wrote it, with
 * `JSON.stringify`) spliced in instead of serialised again: the answer is most of a record's bytes.
 * Splicing gives the same text only when the answer's keys are new to the record and none is
 * integer-like (those would move to the front of the merged object); otherwise the object is built
 * and serialised as such.
 */
export function sampleLine(record: DataRecord, id: string, answerText: string, entry: LineageEntry): string {
  const lineage = [...record.lineage, entry];
  // Only the answer's keys decide, and they can be read off its text without parsing its values.
  const answerKeys = topLevelKeys(answerText) ?? Object.keys(JSON.parse(answerText) as object);
  if (answerKeys.some((key) => Object.hasOwn(record.fields, key) || INDEX_LIKE.test(key))) {
    const answer = JSON.parse(answerText) as Record<string, unknown>;
    return JSON.stringify({ id, seedId: record.seedId, ...(record.source ? { source: record.source } : {}), fields: { ...record.fields, ...answer }, lineage });
  }
  const fields = mergedFields(JSON.stringify(record.fields), answerText, answerKeys);
  const seedId = record.seedId === undefined ? '' : `,"seedId":${JSON.stringify(record.seedId)}`;
  const source = record.source ? `,"source":${JSON.stringify(record.source)}` : '';
  return `{"id":${JSON.stringify(id)}${seedId}${source},"fields":${fields},"lineage":${JSON.stringify(lineage)}}`;
}

/** The text of `{ ...fields, ...answer }` from theirs, when no answer key is one of the fields'. */
function mergedFields(fields: string, answerText: string, answerKeys: readonly string[]): string {
  return answerKeys.length === 0 ? fields : fields === '{}' ? answerText : `${fields.slice(0, -1)},${answerText.slice(1)}`;
}

/**
 * `sampleLine` for a record read as text (record-text.ts): its fields and lineage spliced as they
 * were read, the lineage entry as `JSON.stringify` writes it (`entryText`). Undefined where
 * `sampleLine` would not splice (an answer key the record has, or an integer-like one).
 */
export function splicedSampleLine(record: RecordText, id: string, answerText: string, entryText: string): string | undefined {
  const answerKeys = topLevelKeys(answerText) ?? Object.keys(JSON.parse(answerText) as object);
  for (const key of answerKeys) if (INDEX_LIKE.test(key) || record.fieldKeys.includes(key)) return undefined;
  const fields = mergedFields(record.fields, answerText, answerKeys);
  const seedId = record.seedId === undefined ? '' : `,"seedId":${record.seedId}`;
  const source = record.source === undefined ? '' : `,"source":${record.source}`;
  const lineage = record.lineage === '[]' ? `[${entryText}]` : `${record.lineage.slice(0, -1)},${entryText}]`;
  return `{"id":${JSON.stringify(id)}${seedId}${source},"fields":${fields},"lineage":${lineage}}`;
}

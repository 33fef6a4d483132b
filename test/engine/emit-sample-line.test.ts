import { describe, expect, it } from 'vitest';
import type { DataRecord, LineageEntry } from '../../src/domain.js';
import { sampleLine } from '../../src/engine/sample-line.js';

const entry: LineageEntry = { step: 'answer', requestKey: 'ab'.repeat(32), provider: 'openai', model: 'gpt-4o-mini', batchId: 'batch_1', attempt: 1 };

/** The output record as emitting always built it, serialised whole: what the spliced line must equal. */
function expected(record: DataRecord, id: string, answer: Record<string, unknown>): string {
  return JSON.stringify({ id, seedId: record.seedId, ...(record.source ? { source: record.source } : {}), fields: { ...record.fields, ...answer }, lineage: [...record.lineage, entry] });
}

describe('sampleLine', () => {
  const base: DataRecord = { id: 's0-1', seedId: 's0-1', source: 'seeds.jsonl:2', fields: { topic: 'tea', n: 3 }, lineage: [] };
  const cases: [string, DataRecord, Record<string, unknown>][] = [
    ['new keys', base, { answer: 'x "quoted"\n', score: 0.5, tags: ['a'] }],
    ['a key the record has (replaced in place)', base, { topic: 'coffee', extra: true }],
    ['an integer-like key (listed first by JavaScript)', base, { '2': 'two', answer: 'y' }],
    ['integer-like keys in the record only', { ...base, fields: { '10': 1, b: 2 } }, { answer: 'z' }],
    ['an empty answer', base, {}],
    ['a record without fields', { ...base, fields: {} }, { answer: 'w' }],
    ['no source, earlier lineage', { ...base, source: undefined, lineage: [{ ...entry, step: 'first' }] } as DataRecord, { answer: 'v' }],
    ['a __proto__ key in the answer', base, JSON.parse('{"__proto__":{"a":1},"answer":"u"}') as Record<string, unknown>],
    ['characters JSON escapes', { ...base, fields: { 'é\u2028': '\u0000' } }, { 'ключ': '\ud800', answer: '😀' }],
  ];
  for (const [name, record, answer] of cases) {
    it(`writes what serialising the merged record writes: ${name}`, () => {
      const line = sampleLine(record, `${record.id}.0`, JSON.stringify(answer), entry);
      expect(line).toBe(expected(record, `${record.id}.0`, JSON.parse(JSON.stringify(answer)) as Record<string, unknown>));
    });
  }
});

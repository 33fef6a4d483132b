import { describe, expect, it } from 'vitest';
import type { DataRecord, LineageEntry } from '../../src/domain.js';
import { recordText } from '../../src/engine/record-text.js';
import { sampleLine, splicedSampleLine } from '../../src/engine/sample-line.js';

const entry: LineageEntry = { step: 'answer', requestKey: 'ab'.repeat(32), provider: 'openai', model: 'gpt-4o-mini', batchId: 'batch_1', attempt: 1 };

/** The output record as emitting always built it from the parsed record, serialised whole. */
function expected(record: DataRecord, id: string, answer: Record<string, unknown>): string {
  return JSON.stringify({ id, seedId: record.seedId, ...(record.source ? { source: record.source } : {}), fields: { ...record.fields, ...answer }, lineage: [...record.lineage, entry] });
}

const base: DataRecord = { id: 's0-1', seedId: 's0-1', source: 'seeds.jsonl:2', fields: { topic: 'tea', n: 3 }, lineage: [] };

describe('recordText', () => {
  // Each written by JSON.stringify, as every stage line is.
  const records: [string, DataRecord][] = [
    ['a seed record', base],
    ['characters JSON escapes, in the id and the fields', { ...base, id: 'a"b\\c\u2028', fields: { 'é\u2028': '\u0000', 'k"q': '\ud800', emoji: '😀' } }],
    ['numbers written in their shortest form', { ...base, fields: { big: 1e21, small: 5e-7, neg: -0, frac: 0.1 + 0.2 } }],
    ['integer-like keys in the fields', { ...base, fields: { b: 1, '10': 2, '2': 3 } }],
    ['nested values holding what looks like keys', { ...base, fields: { outer: { answer: 1 }, text: '"answer":2', list: [{ answer: 3 }] } }],
    ['no source, an empty source, no seed id', { ...base, source: undefined, seedId: undefined } as unknown as DataRecord],
    ['an empty source', { ...base, source: '' }],
    ['an earlier lineage', { ...base, lineage: [{ ...entry, step: 'first' }, { ...entry, step: 'second', cached: true }] }],
    ['no fields', { ...base, fields: {} }],
    ['members in another order, and one emitting drops', { lineage: [], extra: 1, fields: { a: 1 }, source: 's', id: 'x', seedId: 'y' } as unknown as DataRecord],
    ['a __proto__ field', { ...base, fields: JSON.parse('{"__proto__":{"a":1},"b":2}') as DataRecord['fields'] }],
  ];
  const answers: Record<string, unknown>[] = [{ answer: 'x "quoted"\n', score: 0.5 }, { topic: 'replaced' }, { '7': 'integer-like' }, {}, JSON.parse('{"__proto__":{"z":1}}') as Record<string, unknown>, { answer: 'é' }];

  for (const [name, record] of records) {
    it(`splices the bytes serialising the parsed record writes, or declines where sampleLine would not splice: ${name}`, () => {
      const line = JSON.stringify(record);
      const text = recordText(line)!;
      expect(text).toBeDefined();
      const parsed = JSON.parse(line) as DataRecord;
      expect(text.id).toBe(parsed.id);
      expect(text.fieldKeys).toEqual(Object.keys(parsed.fields));
      for (const answer of answers) {
        const answerText = JSON.stringify(answer);
        const spliced = splicedSampleLine(text, `${parsed.id}.0`, answerText, JSON.stringify(entry));
        const whole = expected(parsed, `${parsed.id}.0`, JSON.parse(answerText) as Record<string, unknown>);
        const collides = Object.keys(JSON.parse(answerText) as object).some((key) => Object.hasOwn(parsed.fields, key) || /^\d+$/.test(key));
        if (collides) expect(spliced, answerText).toBeUndefined();
        else expect(spliced, answerText).toBe(whole);
        // The fallback emitting then takes writes the same bytes.
        expect(sampleLine(parsed, `${parsed.id}.0`, answerText, entry)).toBe(whole);
      }
    });
  }

  it('declines lines whose members it does not splice, so emitting parses them', () => {
    const lines = [
      '{"id":1,"fields":{},"lineage":[]}',
      '{"id":"a","fields":[],"lineage":[]}',
      '{"id":"a","fields":{},"lineage":{}}',
      '{"id":"a","fields":{},"source":5,"lineage":[]}',
      '{"id":"a","fields":{}}',
      '{"id": "a","fields":{},"lineage":[]}',
      '[1]',
      '{"id":"a","fields":{"x":"unterminated}',
    ];
    for (const line of lines) expect(recordText(line), line).toBeUndefined();
  });

  it('knows a field key only at the top level of the fields', () => {
    const text = recordText(JSON.stringify({ ...base, fields: { topic: 'the "answer": here', nested: { answer: 1 }, 'k"q': 1 } }))!;
    expect(text.fieldKeys).toEqual(['topic', 'nested', 'k"q']);
  });
});

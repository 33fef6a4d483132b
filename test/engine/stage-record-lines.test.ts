import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataRecord } from '../../src/domain.js';
import { readRecordLines, writeRecords } from '../../src/engine/stage-files.js';
import { AnswerReader, shardAnswersPath } from '../../src/engine/shard-files.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stage-lines-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const records: DataRecord[] = [
  { id: 'a', seedId: 'a', source: 's.jsonl:1', fields: { text: 'é 😀 "quoted"\\', n: 1.5, '2': 'x' }, lineage: [] },
  { id: 'b', seedId: 'b', fields: { text: 'x'.repeat(3 << 20) }, lineage: [] }, // longer than a read chunk: cut across chunks
  { id: 'c', seedId: 'c', fields: {}, lineage: [{ step: 'g', requestKey: 'k', provider: 'openai', model: 'm', attempt: 1 }] },
];

async function* of<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}

describe('readRecordLines', () => {
  it('gives each record with its line, and writing the lines back is byte-identical to serialising the records', async () => {
    const input = join(dir, 'in.jsonl');
    await writeRecords(input, of(records));
    const read: { record: DataRecord; line: Buffer }[] = [];
    for await (const item of readRecordLines(input)) read.push(item);
    expect(read.map(({ record }) => record)).toEqual(records);
    await writeRecords(join(dir, 'out.jsonl'), of(read.map(({ line }) => line)));
    expect(readFileSync(join(dir, 'out.jsonl')).equals(readFileSync(input))).toBe(true);
  });

  it('skips empty lines and drops a CR before the LF, as readFileLines does', async () => {
    const input = join(dir, 'crlf.jsonl');
    writeFileSync(input, `${JSON.stringify(records[0])}\r\n\n${JSON.stringify(records[2])}`);
    const lines: string[] = [];
    for await (const { line } of readRecordLines(input)) lines.push(line.toString());
    expect(lines).toEqual([JSON.stringify(records[0]), JSON.stringify(records[2])]);
  });
});

describe('AnswerReader', () => {
  const cases: [string, string[]][] = [
    ['with characters above ASCII (decoded answer by answer)', ['{"a":"é"}', '{"b":2}', '{"c":"😀"}']],
    ['all ASCII (decoded once, answers sliced from its text)', ['{"a":"x"}', '{"b":2}', '{"c":"\\u0000 \\"q\\""}']],
  ];
  for (const [name, answers] of cases) {
    it(`reads the same answers whole-file as one by one, and says undefined past the end of a file cut short: a file ${name}`, () => {
      const shard = join(dir, 'step0-round0-x-0000.jsonl');
      writeFileSync(shardAnswersPath(shard), `${answers.join('\n')}\n`);
      const offsets = answers.map((_, index) => Buffer.byteLength(answers.slice(0, index).map((text) => `${text}\n`).join('')));
      for (const whole of [false, true]) {
        const reader = new AnswerReader();
        // Out of file order, as results come back.
        for (const index of [2, 0, 1, 1]) expect(reader.read(shard, offsets[index]!, Buffer.byteLength(answers[index]!), whole)).toBe(answers[index]);
        expect(reader.read(shard, offsets[2]!, 100, whole)).toBeUndefined();
        expect(reader.read(join(dir, 'gone.jsonl'), 0, 3, whole)).toBeUndefined();
        // Back to the first file after another: still read, still whole.
        expect(reader.read(shard, offsets[0]!, Buffer.byteLength(answers[0]!), whole)).toBe(answers[0]);
        reader.close();
      }
    });
  }
});

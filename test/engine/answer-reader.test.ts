import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AnswerReader, shardAnswersPath } from '../../src/engine/shard-files.js';

/** An answers file of `count` JSON answers, one per line, and each answer's byte offset and size. */
function writeAnswers(shardPath: string, count: number, text: (index: number) => string): { offset: number; bytes: number; text: string }[] {
  const answers: { offset: number; bytes: number; text: string }[] = [];
  let offset = 0;
  const lines: string[] = [];
  for (let index = 0; index < count; index++) {
    const json = JSON.stringify({ answer: text(index) });
    const bytes = Buffer.byteLength(json);
    answers.push({ offset, bytes, text: json });
    lines.push(json);
    offset += bytes + 1;
  }
  writeFileSync(shardAnswersPath(shardPath), `${lines.join('\n')}\n`);
  return answers;
}

describe('AnswerReader reading answers files whole', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('gives every answer as written while files are held, evicted, read again and their buffers reused', () => {
    dir = mkdtempSync(join(tmpdir(), 'answer-reader-'));
    // Sizes that make a later file need a larger buffer than any spare one, and smaller ones that reuse it;
    // one file with characters above ASCII (its answers decoded as UTF-8, not one byte per unit).
    const shards = [
      { path: join(dir, 'shard-0.jsonl'), answers: [] as { offset: number; bytes: number; text: string }[], count: 40, text: (i: number) => `small ${i}` },
      { path: join(dir, 'shard-1.jsonl'), answers: [], count: 400, text: (i: number) => `a longer answer number ${i} `.repeat(8) },
      { path: join(dir, 'shard-2.jsonl'), answers: [], count: 30, text: (i: number) => `naïve café ${i} — 東京 ${'🙂'.repeat(i % 3)}` },
      { path: join(dir, 'shard-3.jsonl'), answers: [], count: 2000, text: (i: number) => `the largest file ${i} `.repeat(12) },
      { path: join(dir, 'shard-4.jsonl'), answers: [], count: 10, text: (i: number) => `tiny ${i}` },
    ];
    for (const shard of shards) shard.answers = writeAnswers(shard.path, shard.count, shard.text);

    const reader = new AnswerReader();
    try {
      // Every shard twice over, in an order that evicts each file (three are held) before it is read again.
      for (const round of [0, 1]) {
        for (const shard of round === 0 ? shards : [...shards].reverse()) {
          for (const answer of shard.answers) {
            expect(reader.read(shard.path, answer.offset, answer.bytes, true)).toBe(answer.text);
          }
        }
      }
      // Interleaved answer by answer across more files than are held.
      for (let index = 0; index < 10; index++) {
        for (const shard of shards) {
          const answer = shard.answers[index % shard.answers.length]!;
          expect(reader.read(shard.path, answer.offset, answer.bytes, true)).toBe(answer.text);
        }
      }
    } finally {
      reader.close();
    }
  });

  it('gives undefined for an answer past the end of a file cut short, read whole or at its position', () => {
    dir = mkdtempSync(join(tmpdir(), 'answer-reader-'));
    const path = join(dir, 'shard-0.jsonl');
    const answers = writeAnswers(path, 20, (i) => `answer ${i}`);
    const last = answers.at(-1)!;
    truncateSync(shardAnswersPath(path), last.offset + 3);
    for (const whole of [true, false]) {
      const reader = new AnswerReader();
      try {
        expect(reader.read(path, answers[0]!.offset, answers[0]!.bytes, whole)).toBe(answers[0]!.text);
        expect(reader.read(path, last.offset, last.bytes, whole)).toBeUndefined();
      } finally {
        reader.close();
      }
    }
  });
});

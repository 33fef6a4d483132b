import { describe, expect, it } from 'vitest';
import { commitShard, forEachValidAnswer, type ShardAnswers } from '../../src/engine/shard-commit.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { SHARD_RUN, storeWithShard } from '../helpers/store-with-shard.js';

const tempDir = useTempDirs();

/** A key whose first four bytes are `prefix` and whose last byte is `tail`. */
function key(prefix: number, tail = 0): Buffer {
  const bytes = Buffer.alloc(16);
  bytes.writeUInt32BE(prefix, 0);
  bytes[15] = tail;
  return bytes;
}

function answersOf(shardSeq: number, offsets: number[]): ShardAnswers {
  return {
    shardSeq,
    attempt: 1,
    offsets: Float64Array.from(offsets),
    sizes: Uint32Array.from(offsets, (_, line) => 10 + line),
    tokens: Float64Array.from({ length: offsets.length * 3 }, (_, index) => index),
  };
}

describe('forEachValidAnswer', () => {
  it('visits the valid lines in key order, equal keys in line order, each with its own place and tokens', () => {
    const keys = Buffer.concat([key(0xffff0000), key(7), key(0x80000000), key(7), key(0), key(7, 1)]);
    const seen: [number, number, number, number][] = [];
    forEachValidAnswer(answersOf(3, [100, 200, -1, 400, 500, 600]), keys, (visited, answer) => {
      seen.push([visited.readUInt32BE(0), answer.offset, answer.bytes, answer.usage.outputTokens]);
    });
    // Line 2 is invalid. Lines 1, 3 and 5 share their first 32 bits: line order among them.
    expect(seen).toStrictEqual([
      [0, 500, 14, 13],
      [7, 200, 11, 4],
      [7, 400, 13, 10],
      [7, 600, 15, 16],
      [0xffff0000, 100, 10, 1],
    ]);
  });

  it('stores the last line of a key repeated in a shard, as putting in line order does', () => {
    const { store, seq } = storeWithShard(tempDir(), 4);
    store.saveStep(SHARD_RUN.id, 0, 'gen', 'generate', 'running');
    const keys = Buffer.concat([key(9), key(5), key(9), key(1)]);
    commitShard(
      store,
      {
        shardId: 'run-1-s0-0000',
        answers: answersOf(seq, [0, 50, 90, 130]),
        outcomes: new Uint8Array(4).fill(0x80),
        ledger: { runId: SHARD_RUN.id, stepIndex: 0, shardId: 'run-1-s0-0000', provider: 'openai', model: 'gpt-4o-mini', requests: 4, inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 },
      },
      keys,
    );
    expect(store.responses.get(key(9))).toMatchObject({ offset: 90, bytes: 12 });
    expect(store.responses.get(key(5))).toMatchObject({ offset: 50 });
    expect(store.responses.get(key(1))).toMatchObject({ offset: 130 });
    store.close();
  });
});

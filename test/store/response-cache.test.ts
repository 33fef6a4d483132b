import { describe, expect, it } from 'vitest';
import { cacheKey, type CachedAnswer } from '../../src/store/response-cache.js';
import { RunStore } from '../../src/store/run-store.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

const KEY = 'ab'.repeat(32);
const RUN = { id: 'run-1', recipeName: 'r', recipePath: '/r.yaml', recipeHash: 'h', options: {} };

/** A store with one run and one recorded shard (answers point at shards). */
function storeWithShard(dir = tempDir()): { store: RunStore; seq: number } {
  const store = new RunStore(dir);
  store.createRun(RUN);
  const seq = store.insertShard({
    id: 'run-1-s0-0000',
    runId: RUN.id,
    stepIndex: 0,
    round: 0,
    provider: 'openai',
    model: 'gpt-4o-mini',
    endpoint: '',
    kind: 'chat',
    inputPath: '/shard.jsonl',
    inputHash: 'abc',
    requestCount: 1,
    bytes: 10,
  });
  return { store, seq };
}

function answer(seq: number, overrides: Partial<CachedAnswer> = {}): CachedAnswer {
  return { shardSeq: seq, offset: 120, bytes: 33, attempt: 1, usage: { inputTokens: 12, outputTokens: 5, cachedInputTokens: 3 }, ...overrides };
}

describe('ResponseCache', () => {
  it('has nothing for an unknown key, and says so when empty', () => {
    const { store } = storeWithShard();
    expect(store.responses.get(KEY)).toBeUndefined();
    expect(store.responses.isEmpty()).toBe(true);
    store.close();
  });

  it('returns what was put, every field, by hex key or 16-byte key, and survives reopening the store', () => {
    const dir = tempDir();
    const { store, seq } = storeWithShard(dir);
    store.responses.put(KEY, answer(seq));
    expect(store.responses.get(KEY)).toStrictEqual(answer(seq));
    expect(store.responses.get(cacheKey(KEY))).toStrictEqual(answer(seq));
    expect(store.responses.isEmpty()).toBe(false);
    store.close();
    const reopened = new RunStore(dir);
    expect(reopened.responses.get(KEY)).toStrictEqual(answer(seq));
    reopened.close();
  });

  it('keys by the first 16 bytes of the request key: keys differing only after them are one entry', () => {
    const { store, seq } = storeWithShard();
    expect(cacheKey(KEY)).toHaveLength(16);
    store.responses.put(KEY, answer(seq));
    expect(store.responses.get(`${KEY.slice(0, 32)}${'cd'.repeat(16)}`)).toStrictEqual(answer(seq));
    expect(store.responses.get(`cd${KEY.slice(2)}`)).toBeUndefined();
    store.close();
  });

  it('a second put of a key replaces the answer', () => {
    const { store, seq } = storeWithShard();
    store.responses.put(KEY, answer(seq));
    store.responses.put(KEY, answer(seq, { offset: 0, bytes: 7, attempt: 2 }));
    expect(store.responses.get(KEY)).toStrictEqual(answer(seq, { offset: 0, bytes: 7, attempt: 2 }));
    store.close();
  });

  it('writes on the store connection: a put inside a rolled-back store transaction is gone', () => {
    const { store, seq } = storeWithShard();
    expect(() =>
      store.transaction(() => {
        store.responses.put(KEY, answer(seq));
        throw new Error('crash before commit');
      }),
    ).toThrow('crash before commit');
    expect(store.responses.get(KEY)).toBeUndefined();
    store.close();
  });

  it('refuses an answer in a shard that was never recorded, and a key that is not 16 bytes', () => {
    const { store, seq } = storeWithShard();
    expect(() => store.responses.put(KEY, answer(seq + 1))).toThrow(/FOREIGN KEY constraint failed/);
    expect(() => store.responses.put(Buffer.alloc(8), answer(seq))).toThrow(/CHECK constraint failed/);
    expect(store.responses.isEmpty()).toBe(true);
    store.close();
  });
});

import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { cacheKey, MIN_FRESH_ROWS, type CachedAnswer } from '../../src/store/response-cache.js';
import { RunStore } from '../../src/store/run-store.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { SHARD_RUN, storeWithShard as storeInDir } from '../helpers/store-with-shard.js';

const tempDir = useTempDirs();

const KEY = 'ab'.repeat(32);
const RUN = SHARD_RUN;

/** A store with one run and one recorded shard (answers point at shards). */
function storeWithShard(dir = tempDir()): { store: RunStore; seq: number } {
  return storeInDir(dir);
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

/** `count` distinct 16-byte keys, none equal to KEY's. */
function keysOf(count: number, salt: number): Buffer[] {
  return Array.from({ length: count }, (_, index) => {
    const key = Buffer.alloc(16);
    key.writeUInt32BE(index, 0);
    key.writeUInt32BE(salt, 4);
    key[15] = 0x01;
    return key;
  });
}

/** Rows in each of the cache's tables, read on a second connection (WAL: it sees what was committed). */
function tableRows(dir: string): { fresh: number; main: number } {
  const db = new Database(join(dir, 'synthforge.db'), { readonly: true });
  try {
    const count = (table: string): number => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    return { fresh: count('responses_fresh'), main: count('responses') };
  } finally {
    db.close();
  }
}

describe('ResponseCache, its two tables', () => {
  it('keeps a shard\'s rows in the fresh table until it holds MIN_FRESH_ROWS and a quarter of the large one, then moves them all', () => {
    const dir = tempDir();
    const { store, seq } = storeWithShard(dir);
    const first = keysOf(MIN_FRESH_ROWS - 1, 1);
    store.transaction(() => store.responses.putAll(first.map((key) => [key, answer(seq)])));
    expect(tableRows(dir)).toEqual({ fresh: MIN_FRESH_ROWS - 1, main: 0 });
    store.transaction(() => store.responses.putAll([[KEY, answer(seq, { offset: 7 })]]));
    expect(tableRows(dir)).toEqual({ fresh: 0, main: MIN_FRESH_ROWS });
    // The large table now holds MIN_FRESH_ROWS rows: a quarter of it is below the minimum, so the minimum decides.
    const second = keysOf(MIN_FRESH_ROWS - 1, 2);
    store.transaction(() => store.responses.putAll(second.map((key) => [key, answer(seq, { offset: 9 })])));
    expect(tableRows(dir)).toEqual({ fresh: MIN_FRESH_ROWS - 1, main: MIN_FRESH_ROWS });
    // Served from either table, by one key or many.
    expect(store.responses.get(KEY)).toStrictEqual(answer(seq, { offset: 7 }));
    expect(store.responses.get(first[5]!)).toStrictEqual(answer(seq));
    expect(store.responses.get(second[5]!)).toStrictEqual(answer(seq, { offset: 9 }));
    const many = store.responses.getMany([first[1]!, second[2]!, KEY, Buffer.alloc(16)]);
    expect([...many.keys()].sort()).toEqual([first[1]!, second[2]!, cacheKey(KEY)].map((key) => key.toString('hex')).sort());
    expect(many.get(second[2]!.toString('hex'))).toStrictEqual(answer(seq, { offset: 9 }));
    store.close();
  });

  it('serves the newer answer of a key in both tables, and the token statistics count it once', () => {
    const dir = tempDir();
    const { store, seq } = storeWithShard(dir);
    store.transaction(() => store.responses.putAll([[KEY, answer(seq, { usage: { inputTokens: 1, outputTokens: 100, cachedInputTokens: 0 } })], ...keysOf(MIN_FRESH_ROWS, 3).map((key): [Buffer, CachedAnswer] => [key, answer(seq)])]));
    expect(tableRows(dir).main).toBe(MIN_FRESH_ROWS + 1);
    const newer = answer(seq, { offset: 1, attempt: 2, usage: { inputTokens: 2, outputTokens: 40, cachedInputTokens: 0 } });
    store.transaction(() => store.responses.putAll([[KEY, newer]]));
    expect(tableRows(dir)).toEqual({ fresh: 1, main: MIN_FRESH_ROWS + 1 });
    expect(store.responses.get(KEY)).toStrictEqual(newer);
    expect(store.responses.getMany([KEY]).get(cacheKey(KEY).toString('hex'))).toStrictEqual(newer);
    store.saveStep(RUN.id, 0, 'gen', 'generate', 'running');
    const [stats] = store.answerTokenStats(RUN.recipeName);
    expect(stats!.answers).toBe(MIN_FRESH_ROWS + 1);
    expect(stats!.outputTokens).toBe(MIN_FRESH_ROWS * 5 + 40);
    store.close();
  });

  it('a merge inside a rolled-back transaction is undone with the shard\'s rows', () => {
    const dir = tempDir();
    const { store, seq } = storeWithShard(dir);
    store.transaction(() => store.responses.putAll(keysOf(MIN_FRESH_ROWS - 1, 4).map((key) => [key, answer(seq)])));
    expect(() =>
      store.transaction(() => {
        store.responses.putAll([[KEY, answer(seq)]]);
        throw new Error('crash before the shard is marked collected');
      }),
    ).toThrow('crash before the shard');
    expect(tableRows(dir)).toEqual({ fresh: MIN_FRESH_ROWS - 1, main: 0 });
    expect(store.responses.get(KEY)).toBeUndefined();
    store.close();
  });
});

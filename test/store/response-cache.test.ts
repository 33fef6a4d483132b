import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { cacheKey, TIER_POLICY, type CachedAnswer, type TierPolicy } from '../../src/store/response-cache.js';
import { RunStore } from '../../src/store/run-store.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { SHARD_RUN, storeWithShard as storeInDir } from '../helpers/store-with-shard.js';

const tempDir = useTempDirs();

const KEY = 'ab'.repeat(32);
const RUN = SHARD_RUN;

/** A store with one run and one recorded shard (answers point at shards). */
function storeWithShard(dir = tempDir(), requestCount = 1, options: ConstructorParameters<typeof RunStore>[1] = {}): { store: RunStore; seq: number } {
  return storeInDir(dir, requestCount, options);
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

/** `count` distinct 16-byte keys, none equal to KEY's (random-looking, as request keys are). */
function keysOf(count: number, salt: number): Buffer[] {
  return Array.from({ length: count }, (_, index) => createHash('sha256').update(`${salt}:${index}`).digest().subarray(0, 16));
}

/** Small tiers, so that a test sees seals and merges over a few levels with a handful of rows. */
const SMALL: TierPolicy = { sealRows: 4, tiersPerMerge: 2 };

interface CacheTables {
  fresh: number;
  /** Per tier, oldest first: its level and rows. */
  tiers: { level: number; rows: number }[];
}

/** The cache's tables, read on a second connection (WAL: it sees what was committed). */
function cacheTables(dir: string): CacheTables {
  const db = new Database(join(dir, 'synthforge.db'), { readonly: true });
  try {
    const count = (table: string): number => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    const tiers = (db.prepare('SELECT id, level FROM response_tiers ORDER BY id').all() as { id: number; level: number }[]).map((tier) => ({
      level: tier.level,
      rows: count(`responses_tier_${tier.id}`),
    }));
    return { fresh: count('responses_fresh'), tiers };
  } finally {
    db.close();
  }
}

function putShard(store: RunStore, keys: Buffer[], answerOfKey: (key: Buffer) => CachedAnswer): void {
  store.transaction(() => store.responses.putAll(keys.map((key) => [key, answerOfKey(key)])));
}

describe('ResponseCache, its fresh table and tiers', () => {
  it('seals the fresh table at sealRows, and merges tiersPerMerge tiers of a level into one of the next', () => {
    const dir = tempDir();
    const { store, seq } = storeWithShard(dir, 1, { cacheTiers: SMALL });
    const keys = keysOf(24, 1);
    putShard(store, keys.slice(0, 3), () => answer(seq));
    expect(cacheTables(dir)).toEqual({ fresh: 3, tiers: [] });
    putShard(store, keys.slice(3, 5), () => answer(seq));
    expect(cacheTables(dir)).toEqual({ fresh: 0, tiers: [{ level: 0, rows: 5 }] });
    putShard(store, keys.slice(5, 9), () => answer(seq));
    // Two tiers of level 0 became one of level 1 in the transaction that sealed the second.
    expect(cacheTables(dir)).toEqual({ fresh: 0, tiers: [{ level: 1, rows: 9 }] });
    for (let start = 9; start < 24; start += 4) putShard(store, keys.slice(start, start + 4), () => answer(seq));
    // 24 rows: level 2 (two level 1 tiers of 9 and 8), then a level 0 tier of 4; three rows still fresh.
    expect(cacheTables(dir)).toEqual({ fresh: 3, tiers: [{ level: 2, rows: 17 }, { level: 0, rows: 4 }] });
    const many = store.responses.getMany([...keys, Buffer.alloc(16)]);
    expect(many.size).toBe(24);
    for (const key of keys) {
      expect(store.responses.get(key)).toStrictEqual(answer(seq));
      expect(many.get(key.toString('hex'))).toStrictEqual(answer(seq));
    }
    store.close();
  });

  it('keeps a key in one table: a newer answer moves it out of its tier, served and counted once', () => {
    const dir = tempDir();
    const { store, seq } = storeWithShard(dir, 1, { cacheTiers: SMALL });
    const older = answer(seq, { usage: { inputTokens: 1, outputTokens: 100, cachedInputTokens: 0 } });
    const others = keysOf(8, 2);
    putShard(store, [cacheKey(KEY), ...others.slice(0, 4)], () => older);
    expect(cacheTables(dir).tiers).toEqual([{ level: 0, rows: 5 }]);
    const newer = answer(seq, { offset: 1, attempt: 2, usage: { inputTokens: 2, outputTokens: 40, cachedInputTokens: 0 } });
    putShard(store, [cacheKey(KEY)], () => newer);
    expect(cacheTables(dir)).toEqual({ fresh: 1, tiers: [{ level: 0, rows: 4 }] });
    expect(store.responses.get(KEY)).toStrictEqual(newer);
    expect(store.responses.getMany([KEY]).get(cacheKey(KEY).toString('hex'))).toStrictEqual(newer);
    // Sealed and merged with it, the newer answer stays the only one.
    putShard(store, others.slice(4), () => older);
    expect(cacheTables(dir)).toEqual({ fresh: 0, tiers: [{ level: 1, rows: 9 }] });
    expect(store.responses.get(KEY)).toStrictEqual(newer);
    store.saveStep(RUN.id, 0, 'gen', 'generate', 'running');
    const [stats] = store.answerTokenStats(RUN.recipeName);
    expect(stats!.answers).toBe(9);
    expect(stats!.outputTokens).toBe(8 * 100 + 40);
    store.close();
  });

  it('a seal and merge inside a rolled-back transaction are undone with the shard\'s rows', () => {
    const dir = tempDir();
    const { store, seq } = storeWithShard(dir, 1, { cacheTiers: SMALL });
    const keys = keysOf(8, 3);
    putShard(store, keys.slice(0, 4), () => answer(seq));
    putShard(store, keys.slice(4, 7), () => answer(seq));
    const before = cacheTables(dir);
    expect(before).toEqual({ fresh: 3, tiers: [{ level: 0, rows: 4 }] });
    expect(() =>
      store.transaction(() => {
        store.responses.putAll([[keys[7]!, answer(seq)]]);
        throw new Error('crash before the shard is marked collected');
      }),
    ).toThrow('crash before the shard');
    expect(cacheTables(dir)).toEqual(before);
    expect(store.responses.get(keys[7]!)).toBeUndefined();
    for (const key of keys.slice(0, 7)) expect(store.responses.get(key)).toStrictEqual(answer(seq));
    // And the next shard seals and merges as if the rolled-back one had never been.
    putShard(store, [keys[7]!], () => answer(seq, { offset: 5 }));
    expect(cacheTables(dir)).toEqual({ fresh: 0, tiers: [{ level: 1, rows: 8 }] });
    expect(store.responses.get(keys[7]!)).toStrictEqual(answer(seq, { offset: 5 }));
    store.close();
  });

  it('a connection sees the seals and merges another one made: lookups find the rows, a put moves a key out of its new tier', () => {
    const dir = tempDir();
    const { store: first, seq } = storeWithShard(dir, 1, { cacheTiers: SMALL });
    const keys = keysOf(10, 4);
    putShard(first, keys.slice(0, 2), () => answer(seq));
    expect(first.responses.get(keys[0]!)).toStrictEqual(answer(seq));
    const second = new RunStore(dir, { cacheTiers: SMALL });
    putShard(second, keys.slice(2, 6), () => answer(seq));
    putShard(second, keys.slice(6, 10), () => answer(seq));
    expect(cacheTables(dir)).toEqual({ fresh: 0, tiers: [{ level: 1, rows: 10 }] });
    expect(first.responses.getMany(keys).size).toBe(10);
    putShard(first, [keys[0]!], () => answer(seq, { offset: 77 }));
    expect(cacheTables(dir)).toEqual({ fresh: 1, tiers: [{ level: 1, rows: 9 }] });
    const reader = new RunStore(dir, { readOnly: true });
    expect(reader.responses.get(keys[0]!)).toStrictEqual(answer(seq, { offset: 77 }));
    expect(reader.responses.getMany(keys).size).toBe(10);
    for (const store of [first, second, reader]) store.close();
  });

  it('finds every key of a sealed tier and none that was never put, at the default policy', () => {
    const dir = tempDir();
    const { store, seq } = storeWithShard(dir);
    const keys = keysOf(TIER_POLICY.sealRows, 5);
    putShard(store, keys, () => answer(seq));
    expect(cacheTables(dir)).toEqual({ fresh: 0, tiers: [{ level: 0, rows: TIER_POLICY.sealRows }] });
    expect(store.responses.getMany(keys).size).toBe(keys.length);
    expect(store.responses.getMany(keysOf(10_000, 6)).size).toBe(0);
    store.close();
  });
});

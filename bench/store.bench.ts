// The response cache's cost per request as the state store grows: what collecting a shard writes in
// its transaction (a cache row per valid answer), shard after shard, into a new state directory.
//   store      RunStore: each shard recorded, then its rows put in one transaction in key order, as
//              collect does (shard-commit.ts); the cache's fresh table is sealed into a tier, and
//              tiers merged, when due (response-tiers.ts).
//   one table  the baseline, in the same run: the same rows put into one table of the cache's shape
//              (as the cache was in store version 3), one transaction per shard.
// Per size, the mean CPU per request over the whole run (what N requests cost, seals and merges
// included), and its growth against the smallest size: the goal is a cost per request flat from 100K
// to 1M. Keys are random 16-byte values, as request keys are. CPU of the transactions (the rest of a
// collect does not depend on the store's size) and of closing the store: its last checkpoint moves
// into the file what a small store left in its write-ahead log, which a large one paid for on the way.
// Then, on the same store, what a lookup costs (`getMany`, as planning asks for a round's keys and
// emitting for the keys its run did not answer): 20,480 keys that are in the cache and as many that
// are not, CPU µs per key, the median of three calls after an untimed one, each on other keys.
// Options: --sizes=100000,1000000 (requests; the default), --shard=N (rows per shard, default 9,009:
// the post-processing bench's 1M lines in 111 shards), --keep.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { forEachValidAnswer, type ShardAnswers } from '../src/engine/shard-commit.js';
import { TIER_POLICY, type CachedAnswer } from '../src/store/response-cache.js';
import { RunStore } from '../src/store/run-store.js';
import { recordShard } from '../test/helpers/store-with-shard.js';
import { hasFlag, numberOption, sizesOption } from './bench-args.js';
import { formatCount, formatRatio, printSummary, printTable } from './bench-table.js';

const DEFAULT_SIZES = [100_000, 1_000_000];

interface Series {
  name: string;
  /** CPU µs per request over every shard's transaction. */
  perRequest: number;
  bytes: number;
}

/** CPU µs per key of `getMany`, on the store's rows once every shard is in. */
interface Lookups {
  hit: number;
  miss: number;
}

/** Keys per lookup call: 80 of getMany's 256-key statements. */
const LOOKUP_KEYS = 20_480;
/** Timed lookup calls per series, each on other keys; the median is reported. */
const LOOKUP_ROUNDS = 3;

interface SizeResult {
  requests: number;
  store: Series & { lookups: Lookups };
  oneTable: Series;
}

export async function run(args: string[]): Promise<void> {
  const sizes = sizesOption(args, DEFAULT_SIZES, DEFAULT_SIZES);
  const shardRows = numberOption(args, 'shard', 9_009);
  const root = mkdtempSync(join(tmpdir(), 'synthforge-bench-store-'));
  console.log(`response cache: ${sizes.map(formatCount).join(', ')} requests in shards of ${formatCount(shardRows)}, random keys; work folder ${root}`);
  try {
    // Untimed: the first shards of either series would carry compiling the code both share (a seal's too).
    const warm = Array.from({ length: Math.ceil(TIER_POLICY.sealRows / shardRows) + 1 }, () => randomBytes(16 * shardRows));
    storeSeries(join(root, 'warm', 'store'), warm);
    oneTableSeries(join(root, 'warm', 'one-table.db'), warm);
    const results = sizes.map((requests, index): SizeResult => {
      const shards = Math.ceil(requests / shardRows);
      const keys = Array.from({ length: shards }, (_, shard) => randomBytes(16 * Math.min(shardRows, requests - shard * shardRows)));
      const dir = join(root, `size-${index}`);
      return { requests, store: storeSeries(join(dir, 'store'), keys), oneTable: oneTableSeries(join(dir, 'one-table.db'), keys) };
    });
    printResults(results);
  } finally {
    if (!hasFlag(args, 'keep')) rmSync(root, { recursive: true, force: true });
  }
}

function answer(shardSeq: number, line: number): CachedAnswer {
  return { shardSeq, offset: line * 1_200, bytes: 1_199, attempt: 1, usage: { inputTokens: 300, outputTokens: 400, cachedInputTokens: 0 } };
}

function answersOf(lines: number, shardSeq: number): ShardAnswers {
  const offsets = Float64Array.from({ length: lines }, (_, line) => line * 1_200);
  const tokens = Float64Array.from({ length: lines * 3 }, (_, index) => [300, 400, 0][index % 3]!);
  return { shardSeq, attempt: 1, offsets, sizes: new Uint32Array(lines).fill(1_199), tokens };
}

function* rowsOf(keys: Buffer, shardSeq: number): Iterable<[Buffer, CachedAnswer]> {
  for (let line = 0; line < keys.length / 16; line++) yield [keys.subarray(line * 16, line * 16 + 16), answer(shardSeq, line)];
}

function storeSeries(stateDir: string, keys: Buffer[]): Series & { lookups: Lookups } {
  const store = new RunStore(stateDir);
  store.createRun({ id: 'run-bench', recipeName: 'bench', recipePath: '/bench.yaml', recipeHash: 'h', options: {} });
  const perRequest = cpuPerRow(keys, (shardKeys, shard) => {
    const seq = recordShard(store, { id: `run-bench-s0-${shard}`, runId: 'run-bench', requestCount: shardKeys.length / 16, inputPath: `/shard-${shard}.jsonl` });
    const answers = answersOf(shardKeys.length / 16, seq);
    // As collect stores a shard (shard-commit.ts), rows in key order.
    return () =>
      store.transaction(() => {
        forEachValidAnswer(answers, shardKeys, (key, answer) => store.responses.put(key, answer));
        store.responses.mergeIfDue();
      });
  });
  const lookups = lookupCost(store, keys);
  const bytes = store.sizeBytes();
  const closing = cpuOf(() => store.close());
  return { name: 'store (fresh + tiers)', perRequest: perRequest + closing / rowsOfAll(keys), bytes, lookups };
}

/**
 * `getMany` over keys spread across every shard put (all found), then over as many random keys (none
 * found): the median of three calls on other keys each, after an untimed one.
 */
function lookupCost(store: RunStore, keys: Buffer[]): Lookups {
  const all = Buffer.concat(keys);
  const count = Math.min(LOOKUP_KEYS, Math.floor(all.length / 16 / (LOOKUP_ROUNDS + 1)));
  const step = Math.floor(all.length / 16 / count);
  const presentAt = (shift: number): Buffer[] => Array.from({ length: count }, (_, index) => all.subarray((index * step + shift) * 16, (index * step + shift) * 16 + 16));
  const absent = (): Buffer[] => Array.from({ length: count }, () => randomBytes(16));
  const cpu = (lookup: Buffer[], expected: number): number => {
    let found = 0;
    const spent = cpuOf(() => (found = store.responses.getMany(lookup).size));
    // Not measured if wrong: a lookup that finds nothing costs less than one that finds its row.
    if (found !== expected) throw new Error(`getMany found ${found} of ${lookup.length} keys, expected ${expected}`);
    return spent / lookup.length;
  };
  // Untimed: the first call compiles the lookup's code and prepares its statements.
  store.responses.getMany([...presentAt(LOOKUP_ROUNDS), ...absent()]);
  const rounds = Array.from({ length: LOOKUP_ROUNDS }, (_, round) => ({ hit: cpu(presentAt(round), count), miss: cpu(absent(), 0) }));
  const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { hit: median(rounds.map((round) => round.hit)), miss: median(rounds.map((round) => round.miss)) };
}

function oneTableSeries(file: string, keys: Buffer[]): Series {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 20000');
  db.pragma('foreign_keys = ON');
  // The store's table before, with its key check and its reference to the shard (checked per row).
  db.exec(`CREATE TABLE shards (seq INTEGER PRIMARY KEY);
    CREATE TABLE responses (request_key BLOB PRIMARY KEY CHECK (length(request_key) = 16), shard_seq INTEGER NOT NULL REFERENCES shards (seq),
    answer_offset INTEGER NOT NULL, answer_bytes INTEGER NOT NULL, attempt INTEGER NOT NULL, input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL) WITHOUT ROWID`);
  const put = db.prepare('INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const addShard = db.prepare('INSERT INTO shards (seq) VALUES (?)');
  const perRequest = cpuPerRow(keys, (shardKeys, shard) => () =>
    db.transaction(() => {
      addShard.run(shard);
      for (const [key, { offset, bytes, attempt, usage }] of rowsOf(shardKeys, shard)) {
        put.run(key, shard, offset, bytes, attempt, usage.inputTokens, usage.outputTokens, usage.cachedInputTokens);
      }
    })(),
  );
  const bytes = Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }));
  const closing = cpuOf(() => db.close());
  return { name: 'one table (before)', perRequest: perRequest + closing / rowsOfAll(keys), bytes };
}

/** CPU µs that `work` took. */
function cpuOf(work: () => void): number {
  const before = process.cpuUsage();
  work();
  const spent = process.cpuUsage(before);
  return spent.user + spent.system;
}

function rowsOfAll(keys: Buffer[]): number {
  return keys.reduce((sum, shardKeys) => sum + shardKeys.length / 16, 0);
}

/** CPU µs per request of every shard's transaction (`prepare` runs untimed and returns it). */
function cpuPerRow(keys: Buffer[], prepare: (shardKeys: Buffer, shard: number) => () => void): number {
  let micros = 0;
  keys.forEach((shardKeys, shard) => {
    micros += cpuOf(prepare(shardKeys, shard));
  });
  return micros / rowsOfAll(keys);
}

function printResults(results: SizeResult[]): void {
  const smallest = results[0]!;
  console.log(`\nCPU µs per request of the shards' transactions, whole run, then per key looked up (getMany, once all are in); growth: against ${formatCount(smallest.requests)} requests`);
  printTable(
    ['requests', 'store', 'growth', 'one table (before)', 'growth', 'store MB / 1K requests', 'lookup found', 'growth', 'lookup not found', 'growth'],
    results.map(({ requests, store, oneTable }) => [
      formatCount(requests),
      store.perRequest.toFixed(2),
      formatRatio(store.perRequest / smallest.store.perRequest),
      oneTable.perRequest.toFixed(2),
      formatRatio(oneTable.perRequest / smallest.oneTable.perRequest),
      (store.bytes / 1e6 / (requests / 1_000)).toFixed(3),
      store.lookups.hit.toFixed(2),
      formatRatio(store.lookups.hit / smallest.store.lookups.hit),
      store.lookups.miss.toFixed(2),
      formatRatio(store.lookups.miss / smallest.store.lookups.miss),
    ]),
  );
  for (const { requests, store, oneTable } of results) {
    printSummary('store', {
      requests,
      put_us: store.perRequest,
      growth: store.perRequest / smallest.store.perRequest,
      one_table_put_us: oneTable.perRequest,
      one_table_growth: oneTable.perRequest / smallest.oneTable.perRequest,
      mb_per_1k: store.bytes / 1e6 / (requests / 1_000),
      lookup_hit_us: store.lookups.hit,
      lookup_hit_growth: store.lookups.hit / smallest.store.lookups.hit,
      lookup_miss_us: store.lookups.miss,
      lookup_miss_growth: store.lookups.miss / smallest.store.lookups.miss,
    });
  }
}

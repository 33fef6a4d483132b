import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ProviderErrorInfo, ResultDecoder, StructuredOutputMode } from '../providers/batch-provider.js';
import type { JsonSchema } from '../schema/json-schema.js';
import { CollectWorkerError } from './errors.js';

/** What a collect thread is started with: everything judging a line of one step's shards needs. */
export interface CollectWorkerData {
  decoder: ResultDecoder;
  schemaName: string;
  /** The step's output schema as JSON Schema: compiled again in the thread (a zod schema cannot cross). */
  jsonSchema: JsonSchema;
  mode: StructuredOutputMode;
}

/** A batch of one shard's raw result lines: whole lines' bytes (`BatchProvider.resultChunks`). */
export interface JudgeRequest {
  id: number;
  shardId: string;
  /** The shard's line count: a custom id past it is not the shard's. */
  lines: number;
  bytes: Uint8Array<ArrayBuffer>;
}

/** `flags` bits. */
export const RETRYABLE = 1;
export const HAS_USAGE = 2;

/**
 * The batch's lines judged, in order, column by column: `lines[i]` is text line i's shard line (-1:
 * undecodable, or another shard's), `outcomes` its outcome's code, `usage` three token counts per
 * line, and `text.slice(ends[i - 1], ends[i])` what goes to the answers or invalid file.
 */
export type JudgeReply =
  | {
      id: number;
      lines: Int32Array<ArrayBuffer>;
      outcomes: Uint8Array<ArrayBuffer>;
      flags: Uint8Array<ArrayBuffer>;
      usage: Float64Array<ArrayBuffer>;
      text: string;
      ends: Uint32Array<ArrayBuffer>;
      /** The lines the provider refused the key for, with its error (rare: not a column). */
      authErrors?: { index: number; error: ProviderErrorInfo }[];
    }
  | { id: number; error: string };

export type JudgedBatch = Extract<JudgeReply, { lines: Int32Array }>;

interface CollectWorker {
  worker: Worker;
  owed: Map<number, { resolve(batch: JudgedBatch): void; reject(error: Error): void }>;
}

/** Threads at most: past this the calling thread (reading, writing the files, the store) is the limit. */
const MAX_COLLECT_WORKERS = 8;

/**
 * How many threads judge a shard's results: `SYNTHFORGE_COLLECT_WORKERS` when set (1: none, the
 * calling thread judges), else one per core but the calling thread's, up to MAX_COLLECT_WORKERS.
 * Two cores keep judging in the calling thread: measured there (100K lines, 2 threads), collect
 * took ≈ 1.8× the CPU (each thread's start, ≈ 0.3 s, and its own warm-up) and no less wall, the
 * threads and the calling thread sharing the two cores.
 */
export function collectWorkers(): number {
  const wanted = Number(process.env.SYNTHFORGE_COLLECT_WORKERS);
  if (Number.isInteger(wanted) && wanted >= 1) return wanted;
  const cores = availableParallelism();
  return cores <= 2 ? 1 : Math.min(cores - 1, MAX_COLLECT_WORKERS);
}

/**
 * How long a pool no collect holds is kept for the next shard. Starting a thread (an isolate, the
 * converter, ajv and zod loaded) costs ≈ 0.3 s of CPU on the 2-core machine, what judging thirty
 * thousand lines does; a run's shards are collected one after another, so each would pay it again.
 */
const IDLE_CLOSE_MS = 2_000;

/** Pools by what their threads were started with: shards of one step (and provider, and keys) share one. */
const pools = new Map<string, CollectPool>();

/**
 * Threads (collect-worker.ts) that decode and judge result lines, batch by batch. Each batch goes
 * to the thread with the fewest owed; answers are promises the caller consumes in the order it sent
 * them. A thread's failure fails the pool: everything owed and everything after. Threads start in
 * the background; a batch sent before one is ready waits in its queue. They are ref'd only while
 * they owe an answer: an idle pool never keeps the process alive.
 *
 * Leased per shard (`lease`, `release`): consecutive shards reuse the threads, a pool no lease holds
 * closes after IDLE_CLOSE_MS, and one released after a failure (an error, a cancel) closes at once.
 */
export class CollectPool {
  private readonly workers: CollectWorker[];
  private nextId = 0;
  private failure: Error | undefined;
  private closed = false;
  private leases = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    size: number,
    data: CollectWorkerData,
    private readonly key?: string,
  ) {
    this.workers = Array.from({ length: size }, () => this.start(data));
  }

  /** A pool of `size` threads started with `data`: a kept one when there is one, else a new one. */
  static lease(size: number, data: CollectWorkerData): CollectPool {
    const key = JSON.stringify([size, data]);
    let pool = pools.get(key);
    if (!pool || pool.closed || pool.failure) {
      pool = new CollectPool(size, data, key);
      pools.set(key, pool);
    }
    pool.leases++;
    clearTimeout(pool.idleTimer);
    return pool;
  }

  /** Ends a lease: after a failure the pool closes now (no thread left running), else once idle. */
  async release(options: { failed: boolean }): Promise<void> {
    this.leases--;
    if (options.failed || this.failure) return this.close();
    if (this.leases === 0) this.idleTimer = setTimeout(() => void this.close(), IDLE_CLOSE_MS).unref();
  }

  /** Judges a batch of whole lines' bytes, which are handed over (detached here). */
  judge(shardId: string, lines: number, bytes: Uint8Array<ArrayBuffer>): Promise<JudgedBatch> {
    if (this.failure) return Promise.reject(this.failure);
    let target = this.workers[0]!;
    for (const member of this.workers) if (member.owed.size < target.owed.size) target = member;
    const id = this.nextId++;
    const judged = new Promise<JudgedBatch>((resolve, reject) => target.owed.set(id, { resolve, reject }));
    // A caller that stops early (an error, a cancel) leaves batches it never awaits: not unhandled.
    judged.catch(() => undefined);
    target.worker.ref();
    target.worker.postMessage({ id, shardId, lines, bytes } satisfies JudgeRequest, [bytes.buffer]);
    return judged;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    if (this.key !== undefined && pools.get(this.key) === this) pools.delete(this.key);
    this.fail(new CollectWorkerError('the collect threads were closed with batches owed'));
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }

  private start(data: CollectWorkerData): CollectWorker {
    const member: CollectWorker = { worker: spawnCollectWorker(data), owed: new Map() };
    member.worker.unref();
    member.worker.on('message', (reply: JudgeReply) => {
      const owed = member.owed.get(reply.id);
      member.owed.delete(reply.id);
      if (member.owed.size === 0) member.worker.unref();
      if (!('error' in reply)) return owed?.resolve(reply);
      const error = new CollectWorkerError(`a collect thread failed: ${reply.error}`);
      owed?.reject(error);
      this.fail(error);
    });
    member.worker.on('error', (error) => this.fail(new CollectWorkerError(`a collect thread crashed: ${error.message}`, { cause: error })));
    member.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new CollectWorkerError(`a collect thread exited unexpectedly (code ${code})`));
    });
    return member;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const { worker, owed } of this.workers) {
      for (const pending of owed.values()) pending.reject(this.failure);
      owed.clear();
      worker.unref();
    }
  }
}

/**
 * From dist/ the thread loads collect-worker.js; from TypeScript sources (tests, `node --import tsx`)
 * it first registers tsx's loader, which Node 20 does not pass on to worker threads.
 */
function spawnCollectWorker(data: CollectWorkerData): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./collect-worker.js', here), { workerData: data });
  const entry = new URL('./collect-worker.ts', here).href;
  const require = createRequire(here);
  const manifestPath = require.resolve('tsx/package.json');
  const manifest = require(manifestPath) as { exports: Record<string, { import?: { default?: string } }> };
  const tsxApi = pathToFileURL(join(dirname(manifestPath), manifest.exports['./esm/api']?.import?.default ?? './dist/esm/api/index.mjs')).href;
  return new Worker(`import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`, { eval: true, workerData: data });
}

import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ProviderErrorInfo, ResultDecoder, StructuredOutputMode } from '../providers/batch-provider.js';
import type { JsonSchema } from '../schema/json-schema.js';
import { CollectWorkerError } from './errors.js';

/** What a collect thread is started with: everything judging a line of one shard needs. */
export interface CollectWorkerData {
  decoder: ResultDecoder;
  schemaName: string;
  /** The step's output schema as JSON Schema: compiled again in the thread (a zod schema cannot cross). */
  jsonSchema: JsonSchema;
  mode: StructuredOutputMode;
  shardId: string;
  /** The shard's line count: a custom id past it is not the shard's. */
  lines: number;
}

/** A batch of raw result lines, joined by newlines (a line never holds one). */
export interface JudgeRequest {
  id: number;
  text: string;
}

/** `flags` bits. */
export const RETRYABLE = 1;
export const HAS_USAGE = 2;

/**
 * The batch's lines judged, in order, column by column: `lines[i]` is raw line i's shard line (-1:
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

/** Threads at most: past this the calling thread (reading lines, writing files) is the limit. */
const MAX_COLLECT_WORKERS = 8;

/**
 * How many threads judge a shard's results: `SYNTHFORGE_COLLECT_WORKERS` when set (1: none, the
 * calling thread judges), else one per core up to MAX_COLLECT_WORKERS.
 */
export function collectWorkers(): number {
  const wanted = Number(process.env.SYNTHFORGE_COLLECT_WORKERS);
  return Number.isInteger(wanted) && wanted >= 1 ? wanted : Math.min(availableParallelism(), MAX_COLLECT_WORKERS);
}

/**
 * Threads (collect-worker.ts) that decode and judge one shard's result lines, batch by batch. Each
 * batch goes to the thread with the fewest owed; answers are promises the caller consumes in the
 * order it sent them. A thread's failure fails the pool: everything owed and everything after.
 * Threads start in the background; a batch sent before one is ready waits in its queue.
 */
export class CollectPool {
  private readonly workers: CollectWorker[];
  private nextId = 0;
  private failure: Error | undefined;
  private closed = false;

  constructor(size: number, data: CollectWorkerData) {
    this.workers = Array.from({ length: size }, () => this.start(data));
  }

  judge(text: string): Promise<JudgedBatch> {
    if (this.failure) return Promise.reject(this.failure);
    let target = this.workers[0]!;
    for (const member of this.workers) if (member.owed.size < target.owed.size) target = member;
    const id = this.nextId++;
    const judged = new Promise<JudgedBatch>((resolve, reject) => target.owed.set(id, { resolve, reject }));
    // A caller that stops early (an error, a cancel) leaves batches it never awaits: not unhandled.
    judged.catch(() => undefined);
    target.worker.postMessage({ id, text } satisfies JudgeRequest);
    return judged;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new CollectWorkerError('the collect threads were closed with batches owed'));
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }

  private start(data: CollectWorkerData): CollectWorker {
    const member: CollectWorker = { worker: spawnCollectWorker(data), owed: new Map() };
    member.worker.on('message', (reply: JudgeReply) => {
      const owed = member.owed.get(reply.id);
      member.owed.delete(reply.id);
      if ('error' in reply) this.fail(new CollectWorkerError(`a collect thread failed: ${reply.error}`));
      else owed?.resolve(reply);
    });
    member.worker.on('error', (error) => this.fail(new CollectWorkerError(`a collect thread crashed: ${error.message}`, { cause: error })));
    member.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new CollectWorkerError(`a collect thread exited unexpectedly (code ${code})`));
    });
    return member;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const { owed } of this.workers) {
      for (const pending of owed.values()) pending.reject(this.failure);
      owed.clear();
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

import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../dataset/parquet-thread.js';
import type { RepairDelta } from './repair-tally.js';
import type { SharedRunAnswers } from './run-answers.js';
import type { StepCounts } from './run-report.js';
import type { EmitStep } from './sample-emitter.js';
import { rebuiltWorkerError, type WorkerError } from './worker-error.js';

/** What an emit worker (emit-worker.ts) is started with. */
export interface EmitWorkerData {
  stateDir: string;
  step: EmitStep;
}

/** A worker's first message: it has opened the store and is ready, or failed to. */
export type EmitWorkerStart = { type: 'ready' } | { type: 'failed'; error: WorkerError };

/**
 * What a worker is sent: first the run's answers, read once by the calling thread while the workers
 * started (`share`), then batches: the input lines and the keys lines of the non-empty ones, both as
 * bytes (transferred).
 */
export type EmitRequest =
  | { type: 'answers'; answers: SharedRunAnswers }
  | { type: 'batch'; id: number; input: Uint8Array<ArrayBuffer>; keys: Uint8Array<ArrayBuffer> }
  | { type: 'close' };

/** A batch's samples' stage lines joined by newlines (UTF-8, transferred), and what it counted. */
export interface EmittedBatch {
  text: Uint8Array<ArrayBuffer>;
  samples: number;
  counts: StepCounts;
  repairs?: RepairDelta;
}

export type EmitReply = ({ type: 'done'; id: number } & EmittedBatch) | { type: 'error'; id: number; error: WorkerError };

/** Workers at most: past this the main thread's reading and writing would be the limit. */
const MAX_WORKERS = 8;

/**
 * How many threads emit a step: `SYNTHFORGE_EMIT_WORKERS` when set (1: the calling thread alone),
 * else one per core but the main thread's (which reads and writes the batches), up to MAX_WORKERS.
 * Two cores keep the calling thread's pass: there two workers cost ≈ 1.5× its CPU (an isolate each,
 * whose code warms up on its own, and every answers file decoded by each worker that reads from it)
 * and ≈ 250 MB more RSS, for no shorter a stage (bench/README.md, emitpool).
 */
export function emitWorkers(): { workers: number; explicit: boolean } {
  const wanted = Number(process.env.SYNTHFORGE_EMIT_WORKERS);
  if (Number.isInteger(wanted) && wanted >= 1) return { workers: wanted, explicit: true };
  return { workers: Math.max(1, Math.min(availableParallelism() - 1, MAX_WORKERS)), explicit: false };
}

interface PoolWorker {
  worker: Worker;
  owed: Map<number, { resolve(batch: EmittedBatch): void; reject(error: Error): void }>;
  exited: Promise<void>;
}

/**
 * Worker threads (emit-worker.ts) that emit batches of a step's input records, sharing the run's
 * answers (read once by the calling thread while they start, their table on shared memory: `share`)
 * and each reading the store (the cache, for answers of earlier runs) through its own read-only
 * connection. A batch goes to
 * the worker with the fewest batches owed; answers are promises, which the caller awaits in input
 * order. Workers are ref'd only while they owe an answer, and a worker's crash fails every batch
 * owed and every one after it: nothing waits forever. `close` ends them all.
 */
export class EmitPool {
  private nextId = 0;
  private failure: Error | undefined;
  private closed = false;

  private constructor(private readonly workers: PoolWorker[]) {}

  /** Starts `size` workers; resolves once each has read the run's answers, or rejects with the first failure (all ended). */
  static async start(size: number, data: EmitWorkerData): Promise<EmitPool> {
    const started = await Promise.allSettled(Array.from({ length: size }, () => startWorker(data)));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) {
      // The others opened their store connection: closed as `close` closes them.
      await Promise.all(started.map((result) => (result.status === 'fulfilled' ? closeWorker(result.value) : undefined)));
      throw failed.reason as Error;
    }
    const pool = new EmitPool(
      started.map((result) => {
        const worker = (result as PromiseFulfilledResult<Worker>).value;
        return { worker, owed: new Map(), exited: new Promise<void>((resolve) => worker.once('exit', () => resolve())) };
      }),
    );
    for (const member of pool.workers) pool.listen(member);
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /** Hands every worker the run's answers (their table is shared, not copied): before the first batch. */
  share(answers: SharedRunAnswers): void {
    for (const { worker } of this.workers) worker.postMessage({ type: 'answers', answers } satisfies EmitRequest);
  }

  /** Emits a batch in a worker; both buffers are transferred (detached here). */
  emit(input: Uint8Array<ArrayBuffer>, keys: Uint8Array<ArrayBuffer>): Promise<EmittedBatch> {
    if (this.failure) return Promise.reject(this.failure);
    let target = this.workers[0]!;
    for (const member of this.workers) if (member.owed.size < target.owed.size) target = member;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      target.owed.set(id, { resolve, reject });
      target.worker.ref();
      target.worker.postMessage({ type: 'batch', id, input, keys } satisfies EmitRequest, [input.buffer, keys.buffer]);
    });
  }

  /**
   * Ends every worker once it finished the batch in hand: each closes the answers files it opened
   * (descriptors are the process's, which ending a thread would not close) and its store connection.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new Error('the emit workers were closed with batches owed'));
    for (const { worker } of this.workers) {
      // Held until it has exited: an awaited close must not be cut short by the process ending.
      worker.ref();
      worker.postMessage({ type: 'close' } satisfies EmitRequest);
    }
    await Promise.all(this.workers.map(({ exited }) => exited));
  }

  private listen(member: PoolWorker): void {
    const { worker, owed } = member;
    worker.unref();
    worker.on('message', (reply: EmitReply) => {
      const waiting = owed.get(reply.id);
      owed.delete(reply.id);
      if (owed.size === 0) worker.unref();
      if (reply.type === 'done') waiting?.resolve(reply);
      else waiting?.reject(rebuiltWorkerError(reply.error));
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`an emit worker exited (${code})`));
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const { worker, owed } of this.workers) {
      for (const waiting of owed.values()) waiting.reject(this.failure);
      owed.clear();
      worker.unref();
    }
  }
}

function startWorker(data: EmitWorkerData): Promise<Worker> {
  const worker = spawnWorker('emit-worker', data, import.meta.url);
  return new Promise((resolve, reject) => {
    const settle = (error?: Error): void => {
      worker.off('message', onMessage);
      worker.off('error', settle);
      worker.off('exit', onExit);
      if (error) void worker.terminate().then(() => reject(error), () => reject(error));
      else resolve(worker);
    };
    const onMessage = (message: EmitWorkerStart): void => settle(message.type === 'failed' ? rebuiltWorkerError(message.error) : undefined);
    const onExit = (code: number): void => settle(new Error(`an emit worker exited during start-up (${code})`));
    worker.on('message', onMessage);
    worker.on('error', settle);
    worker.on('exit', onExit);
  });
}

/** Asks a started worker to close its files and exit; resolves once it has (at once if it had: its threadId is then -1). */
function closeWorker(worker: Worker): Promise<void> {
  if (worker.threadId === -1) return Promise.resolve();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.ref();
  worker.postMessage({ type: 'close' } satisfies EmitRequest);
  return exited;
}

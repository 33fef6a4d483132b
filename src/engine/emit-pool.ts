import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../spawn-worker.js';
import { WorkerPool } from '../worker-pool.js';
import { poolThreads, type PoolThreads } from '../pool-threads.js';
import type { RepairDelta } from './repair-tally.js';
import type { SharedRunAnswers } from './run-answers.js';
import type { StepCounts } from './run-report.js';
import type { EmitStep } from './sample-emitter.js';
import { EmitWorkerError } from './errors.js';
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

/** A batch's samples' stage lines, each with its newline (UTF-8, transferred), and what it counted. */
export interface EmittedBatch {
  text: Uint8Array<ArrayBuffer>;
  samples: number;
  counts: StepCounts;
  repairs?: RepairDelta;
}

export type EmitReply = ({ type: 'done'; id: number } & EmittedBatch) | { type: 'error'; id: number; error: WorkerError };

/**
 * How many threads emit a step beside the calling thread (0: none, it emits alone; it reads and
 * writes the batches either way): `SYNTHFORGE_EMIT_THREADS`, else the default
 * of pool-threads.ts.
 */
export function emitWorkers(): PoolThreads {
  return poolThreads('EMIT');
}

/**
 * Worker threads (emit-worker.ts) that emit batches of a step's input records on a WorkerPool
 * (least-owed dispatch, answers awaited in input order, a crash fails everything owed and after,
 * ref'd only while owing), sharing the run's answers (read once by the calling thread while they
 * start, their table on shared memory: `share`) and each reading the store (the cache, for answers
 * of earlier runs) through its own read-only connection. A batch a worker fails rejects that batch
 * alone. `close` lets each worker close its files before it exits.
 */
export class EmitPool {
  private constructor(private readonly pool: WorkerPool<Extract<EmitRequest, { type: 'batch' }>, EmitReply, EmittedBatch>) {}

  /** Starts `size` workers; resolves once each has read the run's answers, or rejects with the first failure (all ended). */
  static async start(size: number, data: EmitWorkerData): Promise<EmitPool> {
    const started = await Promise.allSettled(Array.from({ length: size }, () => startWorker(data)));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) {
      // The others opened their store connection: closed as `close` closes them.
      await Promise.all(started.map((result) => (result.status === 'fulfilled' ? closeWorker(result.value) : undefined)));
      throw failed.reason as Error;
    }
    const workers = started.map((result) => (result as PromiseFulfilledResult<Worker>).value);
    return new EmitPool(
      new WorkerPool<Extract<EmitRequest, { type: 'batch' }>, EmitReply, EmittedBatch>(workers, {
        settle: (reply) => (reply.type === 'done' ? { value: reply } : { error: rebuiltWorkerError(reply.error) }),
        crashed: (error) => new EmitWorkerError(`an emit worker crashed: ${error.message}`, { cause: error }),
        exited: (code) => new EmitWorkerError(`an emit worker exited (${code})`),
      }),
    );
  }

  get size(): number {
    return this.pool.size;
  }

  /** Hands every worker the run's answers (their table is shared, not copied): before the first batch. */
  share(answers: SharedRunAnswers): void {
    this.pool.broadcast({ type: 'answers', answers } satisfies EmitRequest);
  }

  /** Emits a batch in a worker; both buffers are transferred (detached here). */
  emit(input: Uint8Array<ArrayBuffer>, keys: Uint8Array<ArrayBuffer>): Promise<EmittedBatch> {
    return this.pool.request((id) => ({ type: 'batch', id, input, keys }), [input.buffer, keys.buffer]);
  }

  /**
   * Ends every worker once it finished the batch in hand: each closes the answers files it opened
   * (descriptors are the process's, which ending a thread would not close) and its store connection.
   * Held until they have exited: an awaited close must not be cut short by the process ending.
   */
  close(): Promise<void> {
    return this.pool.close(new EmitWorkerError('the emit workers were closed with batches owed'), { type: 'close' } satisfies EmitRequest);
  }
}

function startWorker(data: EmitWorkerData): Promise<Worker> {
  const worker = spawnWorker('emit-worker', data, import.meta.url);
  return new Promise((resolve, reject) => {
    const settle = (error?: Error): void => {
      worker.off('message', onMessage);
      worker.off('error', onCrash);
      worker.off('exit', onExit);
      if (error) void worker.terminate().then(() => reject(error), () => reject(error));
      else resolve(worker);
    };
    const onMessage = (message: EmitWorkerStart): void => settle(message.type === 'failed' ? rebuiltWorkerError(message.error) : undefined);
    const onCrash = (error: Error): void => settle(new EmitWorkerError(`an emit worker crashed during start-up: ${error.message}`, { cause: error }));
    const onExit = (code: number): void => settle(new EmitWorkerError(`an emit worker exited during start-up (${code})`));
    worker.on('message', onMessage);
    worker.on('error', onCrash);
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

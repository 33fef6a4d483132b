import { spawnWorker } from '../spawn-worker.js';
import { WorkerPool } from '../worker-pool.js';
import type { ProviderErrorInfo, ResultDecoder, StructuredOutputMode } from '../providers/batch-provider.js';
import type { JsonSchema } from '../schema/json-schema.js';
import { CollectWorkerError } from './errors.js';
import { poolThreads, type PoolThreads } from '../pool-threads.js';

/** What a collect thread is started with: everything judging a line of one step's shards needs. */
export interface CollectWorkerData {
  decoder: ResultDecoder;
  schemaName: string;
  /** The step's output schema as JSON Schema: compiled again in the thread (a zod schema cannot cross). */
  jsonSchema: JsonSchema;
  mode: StructuredOutputMode;
}

/**
 * A batch of one shard's raw result lines: whole lines' bytes (`BatchProvider.resultChunks`), at
 * the start of a buffer that is handed over. The thread writes the batch's answer and invalid bytes
 * back into the same buffer (a larger one where they outgrow it) and hands it back.
 */
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

/** The columns of a judged batch (JudgedBatch), as a thread sends them: transferred, never copied. */
interface JudgedColumns {
  lines: Int32Array<ArrayBuffer>;
  outcomes: Uint8Array<ArrayBuffer>;
  flags: Uint8Array<ArrayBuffer>;
  usage: Float64Array<ArrayBuffer>;
  sizes: Uint32Array<ArrayBuffer>;
  /** The lines the provider refused the key for, with its error (rare: not a column). */
  authErrors?: { index: number; error: ProviderErrorInfo }[];
}

/** A thread's answer: the columns, and the encoded lines in `bytes` (handed over): `answersBytes` of answers, then the invalid lines. */
export type JudgeReply = (JudgedColumns & { id: number; answersBytes: number; bytes: Uint8Array<ArrayBuffer> }) | { id: number; error: string };

/**
 * The batch's lines judged, in order, column by column: `lines[i]` is text line i's shard line (-1:
 * undecodable, or another shard's), `outcomes` its outcome's code, `usage` three token counts per
 * line, and `sizes[i]` the bytes of what goes to the answers file (a valid line) or the invalid file
 * (any other), its newline included, UTF-8 encoded by the thread: the next `sizes[i]` bytes of
 * `answers` or `invalid`, which hold the lines of their kind one after another (0: a line with no
 * shard line, which adds nothing). `answers` and `invalid` are valid until the batch is given back
 * (`CollectPool.done`): their buffer then carries another batch.
 */
export interface JudgedBatch extends JudgedColumns {
  answers: Uint8Array<ArrayBuffer>;
  invalid: Uint8Array<ArrayBuffer>;
}

/** Batches in flight per thread: one judged, one waiting, one being read. */
export const BATCHES_PER_THREAD = 3;
/**
 * Bytes of a reused batch buffer: a batch (about judge-on-threads.ts' BATCH_BYTES; a longer one
 * goes in a buffer of its own) and then what the thread writes back in its place (answers are
 * shorter than the lines carrying them).
 */
const BUFFER_BYTES = 512 * 1024;

/**
 * How many threads judge a shard's results beside the calling thread (0: none, it judges them
 * itself): `SYNTHFORGE_COLLECT_THREADS`, else the default of
 * pool-threads.ts.
 */
export function collectWorkers(): PoolThreads {
  return poolThreads('COLLECT');
}

/**
 * How long a pool no collect holds is kept for the next shard. Starting a thread (an isolate, the
 * converter and ajv loaded, the schema compiled) costs ≈ 0.23 s of CPU on the 2-core machine, what
 * judging twenty thousand lines does; a run's shards are collected one after another, so each would pay it again.
 */
const IDLE_CLOSE_MS = 2_000;

/** Pools by what their threads were started with: shards of one step (and provider, and keys) share one. */
const pools = new Map<string, CollectPool>();

/**
 * Threads (collect-worker.ts) that decode and judge result lines, batch by batch, on a WorkerPool
 * (least-owed dispatch, answers in the order sent, a thread's failure fails everything owed and
 * after, ref'd only while owing). Threads start in the background; a batch sent before one is ready
 * waits in its queue. A batch a thread fails to judge fails the pool too.
 *
 * Leased per shard (`lease`, `release`): consecutive shards reuse the threads, a pool no lease holds
 * closes after IDLE_CLOSE_MS, and one released after a failure (an error, a cancel) closes at once.
 */
export class CollectPool {
  private readonly pool: WorkerPool<JudgeRequest, JudgeReply, Extract<JudgeReply, { lines: Int32Array }>>;
  /**
   * Batch buffers back from the threads, free: a batch is cut into one, handed over, and its answers
   * come back in it, so the calling thread allocates no buffer per batch and leaves none for its
   * garbage collector (whose full collections those bytes would otherwise set off). At most one
   * per batch in flight. (Memory shared with the threads would do the same, but V8 copies into and
   * out of a SharedArrayBuffer at half the speed.)
   */
  private readonly spare: ArrayBuffer[] = [];
  private closed = false;
  private leases = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    size: number,
    data: CollectWorkerData,
    private readonly key?: string,
  ) {
    const workers = Array.from({ length: size }, () => spawnWorker('collect-worker', data, import.meta.url));
    this.pool = new WorkerPool<JudgeRequest, JudgeReply, Extract<JudgeReply, { lines: Int32Array }>>(workers, {
      settle: (reply) => ('error' in reply ? { error: new CollectWorkerError(`a collect thread failed: ${reply.error}`), fatal: true } : { value: reply }),
      crashed: (error) => new CollectWorkerError(`a collect thread crashed: ${error.message}`, { cause: error }),
      exited: (code) => new CollectWorkerError(`a collect thread exited unexpectedly (code ${code})`),
    });
  }

  /** A pool of `size` threads started with `data`: a kept one when there is one, else a new one. */
  static lease(size: number, data: CollectWorkerData): CollectPool {
    const key = JSON.stringify([size, data]);
    let pool = pools.get(key);
    if (!pool || pool.closed || pool.pool.failed) {
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
    if (options.failed || this.pool.failed) return this.close();
    if (this.leases === 0) this.idleTimer = setTimeout(() => void this.close(), IDLE_CLOSE_MS).unref();
  }

  /** Where a batch of `length` bytes is cut (lineBatches' allocator): a spare buffer when it fits one. */
  readonly allocate = (length: number): Uint8Array<ArrayBuffer> => {
    if (length > BUFFER_BYTES) return new Uint8Array(length);
    return new Uint8Array(this.spare.pop() ?? new ArrayBuffer(BUFFER_BYTES), 0, length);
  };

  /** Judges a batch of whole lines' bytes (from `allocate`), which are handed over (detached here). */
  async judge(shardId: string, lines: number, bytes: Uint8Array<ArrayBuffer>): Promise<JudgedBatch> {
    const reply = await this.pool.request((id) => ({ id, shardId, lines, bytes }), [bytes.buffer]);
    const { answersBytes, bytes: encoded } = reply;
    return {
      lines: reply.lines,
      outcomes: reply.outcomes,
      flags: reply.flags,
      usage: reply.usage,
      sizes: reply.sizes,
      ...(reply.authErrors ? { authErrors: reply.authErrors } : {}),
      answers: encoded.subarray(0, answersBytes),
      invalid: encoded.subarray(answersBytes),
    };
  }

  /** Takes a judged batch's buffer back for another batch (its `answers` and `invalid` are not to be read after). */
  done(batch: JudgedBatch): void {
    const { buffer } = batch.answers;
    if (buffer.byteLength === BUFFER_BYTES) this.spare.push(buffer);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    if (this.key !== undefined && pools.get(this.key) === this) pools.delete(this.key);
    await this.pool.close(new CollectWorkerError('the collect threads were closed with batches owed'));
  }
}

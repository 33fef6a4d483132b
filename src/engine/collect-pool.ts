import { builtTwin, spawnWorker } from '../spawn-worker.js';
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

/** What a thread gets beside CollectWorkerData: the pool's slots (see CollectPool). */
export interface CollectThreadData extends CollectWorkerData {
  slots: SharedArrayBuffer[];
}

/**
 * A batch of one shard's raw result lines: whole lines' bytes (`BatchProvider.resultChunks`), the
 * first `length` bytes of slot `slot`, or `bytes` (handed over) for a batch no slot held (`slot` -1).
 * The thread writes the batch's answer and invalid bytes back into its slot.
 */
export interface JudgeRequest {
  id: number;
  shardId: string;
  /** The shard's line count: a custom id past it is not the shard's. */
  lines: number;
  slot: number;
  length: number;
  bytes?: Uint8Array<ArrayBuffer>;
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

/**
 * A thread's answer: the columns, and the encoded lines, `answersBytes` of answers then
 * `invalidBytes` of invalid lines, in the request's slot, or in `bytes` (handed over) where the slot
 * was too small or there was none.
 */
export type JudgeReply = (JudgedColumns & { id: number; answersBytes: number; invalidBytes: number; bytes?: Uint8Array<ArrayBuffer> }) | { id: number; error: string };

/**
 * The batch's lines judged, in order, column by column: `lines[i]` is text line i's shard line (-1:
 * undecodable, or another shard's), `outcomes` its outcome's code, `usage` three token counts per
 * line, and `sizes[i]` the bytes of what goes to the answers file (a valid line) or the invalid file
 * (any other), its newline included, UTF-8 encoded by the thread: the next `sizes[i]` bytes of
 * `answers` or `invalid`, which hold the lines of their kind one after another (0: a line with no
 * shard line, which adds nothing). `answers` and `invalid` may lie in a slot: they are valid until
 * the batch is given back (`CollectPool.done`).
 */
export interface JudgedBatch extends JudgedColumns {
  slot: number;
  answers: Uint8Array;
  invalid: Uint8Array;
}

/** Batches in flight per thread: one judged, one waiting, one being read. */
export const BATCHES_PER_THREAD = 3;
/**
 * Bytes of a slot: a batch (about judge-on-threads.ts' BATCH_BYTES; a longer one goes on its own)
 * and then what the thread writes back in its place (answers are shorter than the lines carrying them).
 */
const SLOT_BYTES = 512 * 1024;

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
   * Memory shared with the threads, one slot per batch in flight: a batch is cut into a free slot
   * and its answers come back in the same place, so no buffer is allocated (or moved between
   * threads) per batch, and the calling thread's garbage collector is not driven by their bytes:
   * buffers handed over and back, even reused, set off 7 full collections of its heap in a 100K-line
   * collect, slots none (though V8 copies into and out of shared memory at half the speed).
   */
  private readonly slots: SharedArrayBuffer[];
  private readonly slotOf = new Map<ArrayBufferLike, number>();
  private readonly freeSlots: number[];
  private closed = false;
  private leases = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    size: number,
    data: CollectWorkerData,
    private readonly key?: string,
  ) {
    this.slots = Array.from({ length: size * BATCHES_PER_THREAD }, () => new SharedArrayBuffer(SLOT_BYTES));
    this.slots.forEach((slot, index) => this.slotOf.set(slot, index));
    this.freeSlots = this.slots.map((_, index) => index);
    // From the sources, a decoder of this repository is imported compiled where the thread runs compiled.
    const decoder = { ...data.decoder, module: builtTwin(data.decoder.module) ?? data.decoder.module };
    const threadData: CollectThreadData = { ...data, decoder, slots: this.slots };
    const workers = Array.from({ length: size }, () => spawnWorker('collect-worker', threadData, import.meta.url, [decoder.module]));
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

  /** Where a batch of `length` bytes is cut (lineBatches' allocator): a free slot when it fits one, else a buffer of its own. */
  readonly allocate = (length: number): Uint8Array => {
    if (length > SLOT_BYTES || this.freeSlots.length === 0) return new Uint8Array(length);
    return new Uint8Array(this.slots[this.freeSlots.pop()!]!, 0, length);
  };

  /** Judges a batch of whole lines' bytes (from `allocate`); a buffer of its own is handed over (detached here). */
  async judge(shardId: string, lines: number, bytes: Uint8Array): Promise<JudgedBatch> {
    const slot = this.slotOf.get(bytes.buffer) ?? -1;
    const own = slot === -1 ? (bytes as Uint8Array<ArrayBuffer>) : undefined;
    const reply = await this.pool.request(
      (id) => ({ id, shardId, lines, slot, length: bytes.length, ...(own ? { bytes: own } : {}) }),
      own ? [own.buffer] : [],
    );
    const { answersBytes, invalidBytes } = reply;
    const encoded = reply.bytes ?? new Uint8Array(this.slots[slot]!, 0, answersBytes + invalidBytes);
    return {
      lines: reply.lines,
      outcomes: reply.outcomes,
      flags: reply.flags,
      usage: reply.usage,
      sizes: reply.sizes,
      ...(reply.authErrors ? { authErrors: reply.authErrors } : {}),
      slot,
      answers: encoded.subarray(0, answersBytes),
      invalid: encoded.subarray(answersBytes, answersBytes + invalidBytes),
    };
  }

  /** Gives a judged batch's slot back (its `answers` and `invalid` are not to be read after). */
  done(batch: JudgedBatch): void {
    if (batch.slot !== -1) this.freeSlots.push(batch.slot);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    if (this.key !== undefined && pools.get(this.key) === this) pools.delete(this.key);
    await this.pool.close(new CollectWorkerError('the collect threads were closed with batches owed'));
  }
}

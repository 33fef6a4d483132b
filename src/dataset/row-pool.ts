import { spawnWorker } from '../spawn-worker.js';
import { poolThreads, type PoolThreads } from '../pool-threads.js';
import { WorkerPool } from '../worker-pool.js';
import { WriteWorkerError } from './errors.js';
import type { OutputSpec } from './output-spec.js';
import type { RowBatch } from './row-batch.js';

/** What a write thread (row-worker.ts) is started with: the output (its templates as sources). */
export interface RowWorkerData {
  output: OutputSpec;
  vectorColumns?: readonly string[];
}

/** A batch of whole stage lines, transferred. */
export interface RowRequest {
  id: number;
  bytes: Uint8Array<ArrayBuffer>;
}

/** The batch mapped, or handed back (a record threw) for the writing thread to map itself. */
export type RowReply = { type: 'done'; id: number; batch: RowBatch } | { type: 'failed'; id: number; bytes: Uint8Array<ArrayBuffer> };

/** A batch answered: mapped, or its lines, which the writing thread maps itself. */
export type RowAnswer = { batch: RowBatch } | { lines: Uint8Array<ArrayBuffer> };

/**
 * How many threads map a version's rows beside the writing thread (0: none, it maps them itself):
 * `SYNTHFORGE_WRITE_THREADS`, else the default of pool-threads.ts.
 */
export function writeThreads(): PoolThreads {
  return poolThreads('WRITE');
}

/**
 * Write threads (row-worker.ts) mapping batches of stage lines to rows, on a WorkerPool (least-owed
 * dispatch, answers awaited in order, a crash fails everything owed and after). The writing thread
 * keeps everything that has an order or a file: the shards, lineage, digests, the spill, the
 * unmapped records, the column kinds.
 */
export class RowPool {
  private readonly pool: WorkerPool<RowRequest, RowReply, RowAnswer>;

  /** Threads start in the background: the first batches wait for them, reading does not. */
  constructor(size: number, data: RowWorkerData) {
    const workers = Array.from({ length: size }, () => spawnWorker('row-worker', data, import.meta.url));
    this.pool = new WorkerPool<RowRequest, RowReply, RowAnswer>(workers, {
      settle: (reply) => ({ value: reply.type === 'done' ? { batch: reply.batch } : { lines: reply.bytes } }),
      crashed: (error) => new WriteWorkerError(`a write thread crashed: ${error.message}`, { cause: error }),
      exited: (code) => new WriteWorkerError(`a write thread exited (${code})`),
    });
  }

  get size(): number {
    return this.pool.size;
  }

  /** Maps a batch on a thread; `bytes` is transferred (detached here). */
  map(bytes: Uint8Array<ArrayBuffer>): Promise<RowAnswer> {
    return this.pool.request((id) => ({ id, bytes }), [bytes.buffer]);
  }

  close(): Promise<void> {
    return this.pool.close(new WriteWorkerError('the write threads were closed with batches owed'));
  }
}

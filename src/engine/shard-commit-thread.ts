/**
 * A thread that stores collected shards (shard-commit-worker.ts), used where collect judges on
 * threads. A shard's store transaction (a cache row per valid answer, ≈ 4 µs each) was most of what the
 * calling thread still did per result line once the judging moved to threads; on a machine with
 * cores to spare, the shards another collect or step has in hand go on meanwhile.
 *
 * Its connection is a second writer to the store: SQLite lets one write at a time, and
 * `RunStore.transaction` begins IMMEDIATE, so either side waits for the other (busy_timeout) instead
 * of failing a transaction that read before the other committed. Leased per shard like the collect
 * pool: consecutive shards reuse the thread, which closes once idle.
 */
import { spawnWorker } from '../spawn-worker.js';
import { WorkerPool } from '../worker-pool.js';
import { CollectWorkerError } from './errors.js';
import type { ShardCommit } from './shard-commit.js';

export interface CommitRequest {
  id: number;
  commit: ShardCommit;
  /** The shard's request keys (16 bytes per line), copied. */
  keys: Uint8Array;
}

export type CommitReply = { id: number } | { id: number; error: string };

/** How long a thread no collect holds is kept for the next shard (as the collect pool's). */
const IDLE_CLOSE_MS = 2_000;

const threads = new Map<string, ShardCommitThread>();

export class ShardCommitThread {
  private readonly pool: WorkerPool<CommitRequest, CommitReply, void>;
  private closed = false;
  private leases = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly stateDir: string) {
    this.pool = new WorkerPool<CommitRequest, CommitReply, void>([spawnWorker('shard-commit-worker', { stateDir }, import.meta.url)], {
      settle: (reply) => ('error' in reply ? { error: new CollectWorkerError(`storing a collected shard failed: ${reply.error}`) } : { value: undefined }),
      crashed: (error) => new CollectWorkerError(`the commit thread crashed: ${error.message}`, { cause: error }),
      exited: (code) => new CollectWorkerError(`the commit thread exited unexpectedly (code ${code})`),
    });
  }

  /** The state directory's thread: a kept one when there is one, else a new one. */
  static lease(stateDir: string): ShardCommitThread {
    let thread = threads.get(stateDir);
    if (!thread || thread.closed || thread.pool.failed) {
      thread = new ShardCommitThread(stateDir);
      threads.set(stateDir, thread);
    }
    thread.leases++;
    clearTimeout(thread.idleTimer);
    return thread;
  }

  /** Stores the shard in one transaction on the thread: done, or nothing stored and the error. */
  commit(commit: ShardCommit, keys: Uint8Array): Promise<void> {
    return this.pool.request((id) => ({ id, commit, keys }));
  }

  /** Ends a lease: after a failure the thread closes now, else once idle. */
  async release(options: { failed: boolean }): Promise<void> {
    this.leases--;
    if (options.failed || this.pool.failed) return this.close();
    if (this.leases === 0) this.idleTimer = setTimeout(() => void this.close(), IDLE_CLOSE_MS).unref();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    if (threads.get(this.stateDir) === this) threads.delete(this.stateDir);
    await this.pool.close(new CollectWorkerError('the commit thread was closed with a shard owed'), 'close');
  }
}

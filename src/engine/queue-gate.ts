/**
 * Keeps the work a run has in a provider's queue (submitted, not yet ended) within the queue's room,
 * one pool per queue (`openai/gpt-4o-mini`, `anthropic`: queue-limits.ts).
 *
 * A shard holds its cost (estimated input tokens, or requests) from just before its create call until
 * the provider says its batch ended. A shard whose cost does not fit beside what is in flight waits, in
 * the order shards asked (a large shard is not starved by small ones); one that does not fit even an
 * empty queue goes alone.
 *
 * The configured room is a guess at the account's real limit. When the provider refuses a batch for a
 * full queue anyway (`refused`), the gate learns: the real room is at most what the run had in flight
 * beside that shard, so the pool holds to that from then on, and the refused shard waits until enough
 * of the work in flight has ended.
 */
import type { StepQueue } from './queue-limits.js';

export interface QueueSnapshot {
  queue: string;
  unit: StepQueue['unit'];
  /** The run's work in the queue now. */
  queued: number;
  /** What the gate lets the run hold: the configured room, or less once the provider refused a batch. */
  room: number;
  /** The configured limit; undefined when none is set. */
  limit?: number;
}

interface Waiter {
  shardId: string;
  cost: number;
  admit: () => void;
}

class Pool {
  readonly holds = new Map<string, number>();
  readonly waiters: Waiter[] = [];
  queued = 0;
  learnedRoom = Infinity;

  constructor(readonly queue: StepQueue) {}

  get room(): number {
    return Math.min(this.queue.room, this.learnedRoom);
  }

  fits(cost: number): boolean {
    return this.queued === 0 || this.queued + cost <= this.room;
  }

  hold(shardId: string, cost: number): void {
    if (this.holds.has(shardId)) return;
    this.holds.set(shardId, cost);
    this.queued += cost;
  }

  release(shardId: string): void {
    const cost = this.holds.get(shardId);
    if (cost === undefined) return;
    this.holds.delete(shardId);
    this.queued -= cost;
    this.admitWaiting();
  }

  /** Admits waiters from the head while they fit: strict order, so a large shard is not passed over forever. */
  admitWaiting(): void {
    while (this.waiters.length > 0 && this.fits(this.waiters[0]!.cost)) {
      const waiter = this.waiters.shift()!;
      this.hold(waiter.shardId, waiter.cost);
      waiter.admit();
    }
  }

  snapshot(): QueueSnapshot {
    return {
      queue: this.queue.name,
      unit: this.queue.unit,
      queued: this.queued,
      room: this.room,
      ...(this.queue.limit !== undefined ? { limit: this.queue.limit } : {}),
    };
  }
}

export class QueueGate {
  private readonly pools = new Map<string, Pool>();
  /** Which pool each holding or waiting shard is in. */
  private readonly poolOf = new Map<string, Pool>();

  /** Counts a shard whose batch is already at the provider (a resumed run), without waiting. */
  hold(queue: StepQueue, shardId: string, cost: number): void {
    const pool = this.pool(queue);
    this.poolOf.set(shardId, pool);
    pool.hold(shardId, cost);
  }

  /**
   * Resolves once the shard's cost is held in its queue's pool: at once when it fits (or the shard
   * already holds it), else after earlier work ends; `onWait` hears why it waits, once.
   */
  async acquire(queue: StepQueue, shardId: string, cost: number, onWait: (snapshot: QueueSnapshot) => void, signal?: AbortSignal): Promise<void> {
    const pool = this.pool(queue);
    if (pool.holds.has(shardId)) return;
    this.poolOf.set(shardId, pool);
    if (pool.waiters.length === 0 && pool.fits(cost)) {
      pool.hold(shardId, cost);
      return;
    }
    onWait(pool.snapshot());
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { shardId, cost, admit: () => { signal?.removeEventListener('abort', abort); resolve(); } };
      const abort = (): void => {
        const index = pool.waiters.indexOf(waiter);
        if (index >= 0) pool.waiters.splice(index, 1);
        pool.admitWaiting();
        reject(signal!.reason);
      };
      if (signal?.aborted) return abort();
      signal?.addEventListener('abort', abort, { once: true });
      pool.waiters.push(waiter);
    });
  }

  /** The shard's batch ended (or it was never created): its cost leaves the queue. */
  release(shardId: string): void {
    this.poolOf.get(shardId)?.release(shardId);
    this.poolOf.delete(shardId);
  }

  /**
   * The provider refused the shard's batch for a full queue. Its cost is released; the pool's room
   * becomes what the run has in flight beside it, which the provider just showed to be the most it
   * takes now. Returns that amount: 0 means nothing of this run is in flight, so waiting for the
   * run's own work cannot help (someone else fills the queue, or the shard alone is over the limit).
   */
  refused(queue: StepQueue, shardId: string): number {
    const pool = this.pool(queue);
    this.release(shardId);
    if (pool.queued > 0) pool.learnedRoom = Math.min(pool.learnedRoom, pool.queued);
    return pool.queued;
  }

  snapshot(queue: StepQueue): QueueSnapshot {
    return this.pool(queue).snapshot();
  }

  private pool(queue: StepQueue): Pool {
    let pool = this.pools.get(queue.name);
    if (!pool) {
      pool = new Pool(queue);
      this.pools.set(queue.name, pool);
    }
    return pool;
  }
}

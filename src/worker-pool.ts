import type { Transferable, Worker } from 'node:worker_threads';

/** What a reply settles: the request it answers resolved, or rejected (`fatal`: and the pool failed with it). */
export type Settled<Value> = { value: Value } | { error: Error; fatal?: boolean };

/** How one pool reads its threads' replies and names their failures. */
export interface WorkerPoolHooks<Reply extends { id: number }, Value> {
  settle(reply: Reply): Settled<Value>;
  /** A thread threw outside any request (its 'error' event). */
  crashed(error: Error): Error;
  /** A thread exited while the pool was open. */
  exited(code: number): Error;
}

interface Member<Value> {
  worker: Worker;
  owed: Map<number, { resolve(value: Value): void; reject(error: Error): void }>;
  exited: Promise<void>;
}

/**
 * Worker threads that answer requests by id, the part every request/reply pool shares (collect's
 * judge threads, emit's workers). A request goes to the thread with the fewest owed; its answer is
 * a promise, so a caller keeps several in flight and consumes them in the order it sent them. A
 * thread's failure fails the pool: everything owed and every request after, so nothing waits
 * forever. Threads are ref'd only while they owe an answer: an idle pool never keeps the process
 * alive, a busy one does (an awaited answer is not lost to an early exit).
 */
export class WorkerPool<Request extends { id: number }, Reply extends { id: number }, Value> {
  private readonly members: Member<Value>[];
  private nextId = 0;
  private failure: Error | undefined;
  private closed = false;

  /** Takes over `workers` (started, their start-up messages consumed): unref'd until they owe. */
  constructor(
    workers: readonly Worker[],
    private readonly hooks: WorkerPoolHooks<Reply, NoInfer<Value>>,
  ) {
    this.members = workers.map((worker) => this.listen(worker));
  }

  get size(): number {
    return this.members.length;
  }

  /** The pool's failure, once it failed (or was closed). */
  get failed(): Error | undefined {
    return this.failure;
  }

  /**
   * Sends `request(id)` to the thread with the fewest owed, `transfer` handed over (detached here).
   * The promise is marked handled: a caller that stops early (an error, a cancel) leaves answers it
   * never awaits, which must not count as unhandled rejections.
   */
  request(request: (id: number) => Request, transfer: readonly Transferable[] = []): Promise<Value> {
    if (this.failure) return Promise.reject(this.failure);
    let target = this.members[0]!;
    for (const member of this.members) if (member.owed.size < target.owed.size) target = member;
    const id = this.nextId++;
    const answered = new Promise<Value>((resolve, reject) => target.owed.set(id, { resolve, reject }));
    answered.catch(() => undefined);
    target.worker.ref();
    target.worker.postMessage(request(id), transfer);
    return answered;
  }

  /** A message with no answer, to every thread (e.g. shared data before the first request). */
  broadcast(message: unknown): void {
    for (const { worker } of this.members) worker.postMessage(message);
  }

  /** Rejects everything owed and every request after with `error` (the first failure stays the one reported). */
  fail(error: Error): void {
    this.failure ??= error;
    for (const { worker, owed } of this.members) {
      for (const waiting of owed.values()) waiting.reject(this.failure);
      owed.clear();
      worker.unref();
    }
  }

  /**
   * Ends the pool, failing whatever is owed with `reason`. Without `farewell` each thread is
   * terminated; with it, each is sent `farewell` and held (ref'd) until it has exited, for threads
   * that must close what they opened (a file descriptor is the process's: ending a thread leaves it
   * open). Later calls resolve at once.
   */
  async close(reason: Error, farewell?: unknown): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(reason);
    if (farewell === undefined) {
      await Promise.all(this.members.map(({ worker }) => worker.terminate()));
      return;
    }
    for (const { worker } of this.members) {
      worker.ref();
      worker.postMessage(farewell);
    }
    await Promise.all(this.members.map(({ exited }) => exited));
  }

  private listen(worker: Worker): Member<Value> {
    const member: Member<Value> = { worker, owed: new Map(), exited: new Promise((resolve) => worker.once('exit', () => resolve())) };
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const waiting = member.owed.get(reply.id);
      member.owed.delete(reply.id);
      if (member.owed.size === 0) worker.unref();
      const settled = this.hooks.settle(reply);
      if ('value' in settled) return waiting?.resolve(settled.value);
      waiting?.reject(settled.error);
      if (settled.fatal) this.fail(settled.error);
    });
    worker.on('error', (error) => this.fail(this.hooks.crashed(error)));
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(this.hooks.exited(code));
    });
    return member;
  }
}

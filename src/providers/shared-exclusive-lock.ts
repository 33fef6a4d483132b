/**
 * An in-process readers-writer lock for async work: any number of shared holders at once, or one
 * exclusive holder. A waiting exclusive caller keeps new shared callers out, so it is never starved.
 * The check and the claim of each turn happen in one synchronous step (no await in between), so two
 * callers cannot both pass on the same state.
 */
export class SharedExclusiveLock {
  private shared = 0;
  private exclusive = false;
  private exclusiveWaiting = 0;
  private waiters: (() => void)[] = [];

  async withShared<T>(run: () => Promise<T>): Promise<T> {
    while (this.exclusive || this.exclusiveWaiting > 0) await this.nextRelease();
    this.shared++;
    try {
      return await run();
    } finally {
      this.shared--;
      this.wake();
    }
  }

  async withExclusive<T>(run: () => Promise<T>): Promise<T> {
    this.exclusiveWaiting++;
    try {
      while (this.exclusive || this.shared > 0) await this.nextRelease();
    } finally {
      this.exclusiveWaiting--;
    }
    this.exclusive = true;
    try {
      return await run();
    } finally {
      this.exclusive = false;
      this.wake();
    }
  }

  private nextRelease(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}

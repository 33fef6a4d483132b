/**
 * Runs batch jobs one at a time in submission order. Serial on purpose: which attempt number a custom_id gets,
 * and which earlier answer a near-duplicate copies, depend on the order jobs run in, and that order must be
 * the creation order for runs to be reproducible.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly onError: (error: unknown) => void) {}

  push(task: () => Promise<void>): void {
    this.tail = this.tail.then(task).catch(this.onError);
  }

  /** Resolves once every task pushed so far (and any they pushed) has finished. */
  async idle(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.tail) {
      seen = this.tail;
      await seen;
    }
  }
}

/**
 * A stage file's bytes handed to the step that reads it while the step before still writes it, so
 * a run's local steps and its version write overlap instead of waiting for each other's files.
 *
 * The writer (writeRecords) puts each chunk of whole lines in the file first and then here, so the
 * reader may keep it, or transfer it to a worker thread, without touching what the file holds. The
 * stage file is still written and renamed into place as before: a resumed run reads the file, and a
 * reader never finishes before the runner says the step before is done (`end`), so no step is
 * recorded done ahead of the step it read from.
 *
 * One reader per tap. Memory is bounded: the writer waits while `MAX_QUEUED` chunks are unread.
 */
import { UsageError } from '../errors.js';

/** Chunks of about 1 MiB (stage-files.ts STREAM_CHUNK_BYTES): 8 MiB held at most between two steps. */
const MAX_QUEUED = 8;

/** What the reader of a tap sees when the step it reads from failed or the run stopped. */
export class StageTapClosedError extends Error {
  constructor(
    readonly path: string,
    readonly reason: unknown,
  ) {
    super(`the step writing ${path} stopped before it finished`);
    this.name = 'StageTapClosedError';
  }
}

export class StageTap implements AsyncIterable<Uint8Array<ArrayBuffer>> {
  private readonly queue: Uint8Array<ArrayBuffer>[] = [];
  private ended = false;
  private failure: { reason: unknown } | undefined;
  /** The reader stopped early (its own failure): chunks are dropped from then on. */
  private abandoned = false;
  private hasReader = false;
  private wakeReader: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;

  /** `path`: the stage file, for messages. */
  constructor(readonly path: string) {}

  /** Writer: a chunk of whole lines that is already in the file. Each chunk must own its ArrayBuffer. */
  push(chunk: Uint8Array<ArrayBuffer>): void {
    if (this.abandoned || this.failure || this.ended) return;
    this.queue.push(chunk);
    this.wake('reader');
  }

  /** Writer: resolves once the reader has fewer than MAX_QUEUED chunks to take (at once when it stopped). */
  async room(): Promise<void> {
    while (this.queue.length >= MAX_QUEUED && !this.abandoned && this.failure === undefined) {
      await new Promise<void>((resolve) => (this.wakeWriter = resolve));
    }
  }

  /** Resolves once the reader has taken every chunk pushed so far (or stopped): for the crash tests' failpoint. */
  async taken(): Promise<void> {
    while (this.queue.length > 0 && !this.abandoned && this.failure === undefined) {
      await new Promise<void>((resolve) => (this.wakeWriter = resolve));
    }
  }

  /** Runner: the step before is done and its file complete; the reader ends after the last chunk. */
  end(): void {
    this.ended = true;
    this.wake('reader');
  }

  /** Runner: the step before failed (or the run stopped); the reader throws StageTapClosedError. */
  fail(reason: unknown): void {
    if (this.ended) return;
    this.failure ??= { reason };
    this.queue.length = 0;
    this.wake('reader');
    this.wake('writer');
  }

  /** Reader side: it failed or will not read (what it would read is dropped; the writer goes on with its file). */
  abandon(): void {
    this.abandoned = true;
    this.queue.length = 0;
    this.wake('writer');
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array<ArrayBuffer>> {
    if (this.hasReader) throw new Error(`internal: the stage tap of ${this.path} has a reader already`);
    this.hasReader = true;
    try {
      for (;;) {
        if (this.failure) throw new StageTapClosedError(this.path, this.failure.reason);
        const chunk = this.queue.shift();
        if (chunk !== undefined) {
          this.wake('writer');
          yield chunk;
          continue;
        }
        if (this.ended) return;
        await new Promise<void>((resolve) => (this.wakeReader = resolve));
      }
    } finally {
      if (!this.ended || this.queue.length > 0) this.abandon();
    }
  }

  private wake(side: 'reader' | 'writer'): void {
    const wake = side === 'reader' ? this.wakeReader : this.wakeWriter;
    if (side === 'reader') this.wakeReader = undefined;
    else this.wakeWriter = undefined;
    wake?.();
  }
}

/** How a local step's files flow when steps overlap: its input as it is written, its output to the next reader. */
export interface StageFlow {
  /** The input stage file's bytes while the step before still writes it (read instead of the file). */
  input?: AsyncIterable<Uint8Array<ArrayBuffer>>;
  /** The reader of this step's output, already running. */
  output?: StageTap;
}

/**
 * Whether steps overlap (`SYNTHFORGE_OVERLAP_STEPS`: 1, the default, or 0). Overlapping steps hold
 * their memory at the same time (at 1M records, ≈ 180 MiB more at the peak than one after another:
 * bench/README.md, "overlap"); 0 trades that speed for the lower peak.
 */
export function overlapSteps(): boolean {
  const value = process.env.SYNTHFORGE_OVERLAP_STEPS;
  if (value === undefined || value === '' || value === '1') return true;
  if (value === '0') return false;
  throw new UsageError('invalid_overlap_steps', `SYNTHFORGE_OVERLAP_STEPS=${value}: expected 1 (steps overlap, the default) or 0 (one after another)`, {
    details: { variable: 'SYNTHFORGE_OVERLAP_STEPS', value },
  });
}

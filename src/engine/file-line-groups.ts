import { once } from 'node:events';
import { createReadStream, type ReadStream } from 'node:fs';
import { concatenated } from '../dataset/line-chunks.js';
import { STREAM_CHUNK_BYTES } from './stage-files.js';

/** A run of whole lines of a file: their bytes, newlines included, and how many of them counted. */
export interface LineGroup {
  bytes: Uint8Array<ArrayBuffer>;
  lines: number;
}

/** Whether a line counts, from its length in bytes (newline excluded) and its first byte. */
export type CountsLine = (length: number, firstByte: number | undefined) => boolean;

const CR = 13;

/** Lines `readFileLines` yields as something other than '' (a lone CR before the newline is dropped there). */
export const nonEmptyLine: CountsLine = (length, firstByte) => length > 1 || (length === 1 && firstByte !== CR);

const anyLine: CountsLine = () => true;

/**
 * A file handed out a given number of lines at a time, as bytes, never decoded: what the emit pool's
 * main thread reads, so that its share of a line is finding the newline and copying the bytes once
 * into a buffer it can hand to a worker. Lines are cut as `readFileLines` cuts them (a newline byte
 * never occurs inside a multi-byte character), so a worker that decodes a group gets the same lines.
 */
export class FileLineGroups {
  private readonly stream: ReadStream;
  private readonly chunks: AsyncIterator<Buffer>;
  private chunk: Buffer = Buffer.alloc(0);
  private position = 0;
  private ended = false;

  constructor(path: string) {
    this.stream = createReadStream(path, { highWaterMark: STREAM_CHUNK_BYTES });
    this.chunks = (this.stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  /**
   * The next lines up to and including the `count`-th that `counts` (lines it does not count are
   * included in the bytes too), or fewer at the end of the file; a file's last line may lack its newline.
   */
  async take(count: number, counts: CountsLine = anyLine): Promise<LineGroup> {
    const parts: Buffer[] = [];
    let lines = 0;
    // The line the previous chunk ended in: its bytes so far and its first byte.
    let partial = 0;
    let first: number | undefined;
    while (lines < count) {
      if (this.position === this.chunk.length) {
        const next = this.ended ? undefined : await this.chunks.next();
        if (!next || next.done) {
          this.ended = true;
          break;
        }
        this.chunk = next.value;
        this.position = 0;
        continue;
      }
      const { chunk } = this;
      const start = this.position;
      let lineStart = start;
      let end = chunk.length;
      for (let newline = chunk.indexOf(10, lineStart); newline !== -1; newline = chunk.indexOf(10, lineStart)) {
        if (counts(partial + newline - lineStart, partial > 0 ? first : chunk[lineStart])) lines++;
        partial = 0;
        lineStart = newline + 1;
        if (lines === count) {
          end = lineStart;
          break;
        }
      }
      if (end === chunk.length && lineStart < chunk.length) {
        if (partial === 0) first = chunk[lineStart];
        partial += chunk.length - lineStart;
      }
      parts.push(chunk.subarray(start, end));
      this.position = end;
    }
    // The file's last line, without a newline.
    if (partial > 0 && counts(partial, first)) lines++;
    return { bytes: concatenated(parts), lines };
  }

  /** Stops reading; resolves once the file is closed (also where no line was taken: the stream opened it anyway). */
  async close(): Promise<void> {
    this.ended = true;
    if (this.stream.closed) return;
    const closed = once(this.stream, 'close');
    this.stream.destroy();
    await closed;
  }
}

/** Appends lines to a file with backpressure, so generating a large output never buffers it in memory. */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

export class LineWriter {
  private readonly stream: WriteStream;
  lines = 0;
  bytes = 0;

  constructor(path: string) {
    this.stream = createWriteStream(path);
  }

  /** Writes `line` plus a newline; `line` must not contain one. */
  async write(line: string): Promise<void> {
    const text = `${line}\n`;
    this.lines++;
    this.bytes += Buffer.byteLength(text);
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { FileDigest } from './file-digest.js';

/** Appends JSON lines with backpressure, hashing the bytes as they go out. */
export class JsonlFileWriter {
  private readonly stream: WriteStream;
  private readonly hash = createHash('sha256');
  private failure: Error | undefined;
  bytes = 0;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path);
    // Without a listener a failed write would crash the process; the next write or close reports it.
    this.stream.on('error', (error) => (this.failure ??= error));
  }

  async write(line: string): Promise<void> {
    if (this.failure) throw this.failure;
    const data = Buffer.from(line);
    this.hash.update(data);
    this.bytes += data.length;
    if (!this.stream.write(data)) await Promise.race([once(this.stream, 'drain'), once(this.stream, 'error')]);
  }

  async close(): Promise<FileDigest> {
    if (this.failure) throw this.failure;
    this.stream.end();
    await once(this.stream, 'close');
    if (this.failure) throw this.failure;
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Drops the file handle after a failure elsewhere; the caller removes the directory. */
  abort(): void {
    this.stream.destroy();
  }
}

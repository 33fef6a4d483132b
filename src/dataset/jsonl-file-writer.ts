import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { FileDigest } from './file-digest.js';

/**
 * Lines are gathered into chunks of this size before they reach the stream: one write (and at most
 * one wait for the disk) per chunk instead of per line, which is what bounds the writer's speed.
 */
const CHUNK_BYTES = 1024 * 1024;

/** Appends JSON lines with backpressure, hashing the bytes as they go out. */
export class JsonlFileWriter {
  private readonly stream: WriteStream;
  private readonly hash;
  private failure: Error | undefined;
  private pending: string[] = [];
  private pendingLength = 0;
  bytes = 0;

  /** `digest: false` for a file nobody needs the sha256 of (close then reports an empty one). */
  constructor(
    readonly path: string,
    options: { digest?: boolean } = {},
  ) {
    this.hash = options.digest === false ? undefined : createHash('sha256');
    this.stream = createWriteStream(path, { highWaterMark: CHUNK_BYTES });
    // Without a listener a failed write would crash the process; the next write or close reports it.
    this.stream.on('error', (error) => (this.failure ??= error));
  }

  async write(line: string): Promise<void> {
    if (this.failure) throw this.failure;
    this.pending.push(line);
    // String length undercounts multi-byte characters; it only decides when to flush.
    this.pendingLength += line.length;
    if (this.pendingLength >= CHUNK_BYTES) await this.flush();
  }

  async close(): Promise<FileDigest> {
    await this.flush();
    if (this.failure) throw this.failure;
    this.stream.end();
    await once(this.stream, 'close');
    if (this.failure) throw this.failure;
    return { bytes: this.bytes, sha256: this.hash?.digest('hex') ?? '' };
  }

  /** Drops the file handle after a failure elsewhere; the caller removes the directory. */
  abort(): void {
    this.stream.destroy();
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const data = Buffer.from(this.pending.join(''));
    this.pending = [];
    this.pendingLength = 0;
    this.hash?.update(data);
    this.bytes += data.length;
    // events.once rejects if the stream emits 'error' while we wait.
    if (!this.stream.write(data)) await once(this.stream, 'drain');
  }
}

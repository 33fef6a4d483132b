import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { DigestThread, FileDigester } from './digest-thread.js';
import type { FileDigest } from './file-digest.js';

/**
 * Lines are encoded straight into a chunk of this size before it reaches the stream: one write (and
 * at most one wait for the disk) per chunk instead of per line, and no joined string to encode.
 */
const CHUNK_BYTES = 1024 * 1024;
/** Written chunks kept for reuse: the stream holds one or two in flight. */
const MAX_SPARE_CHUNKS = 2;
/** UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units). */
const MAX_BYTES_PER_UNIT = 3;

/** Appends JSON lines with backpressure, hashing the bytes as they go out. */
export class JsonlFileWriter {
  private readonly stream: WriteStream;
  private readonly hash;
  /** The digest computed on a digest thread instead of `hash`. */
  private readonly remote: FileDigester | undefined;
  private failure: Error | undefined;
  private chunk: Buffer<ArrayBuffer>;
  /**
   * Chunks the stream has written, for the next lines: a new 1 MiB chunk per flush lived long enough
   * to be promoted, and their memory set off most of the writing thread's full collections.
   */
  private readonly spare: Buffer<ArrayBuffer>[] = [];
  private used = 0;
  bytes = 0;
  /** Bytes written so far, those still in the chunk included: where the next line starts in the file. */
  get written(): number {
    return this.bytes + this.used;
  }
  /** Bytes the file holds on disk so far: whole chunks, so always up to a line's end. */
  bytesOnDisk = 0;
  /** Told each time `bytesOnDisk` grows (a reader following the file as it is written). */
  onDisk: ((bytes: number) => void) | undefined;

  /**
   * `digest: false` for a file nobody needs the sha256 of (close then reports an empty one); a
   * DigestThread to have it computed there rather than on this thread.
   */
  constructor(
    readonly path: string,
    options: { digest?: boolean | DigestThread } = {},
  ) {
    const { digest = true } = options;
    this.remote = typeof digest === 'object' ? digest.open() : undefined;
    this.hash = digest === true ? createHash('sha256') : undefined;
    this.chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
    this.stream = createWriteStream(path, { highWaterMark: CHUNK_BYTES });
    // Without a listener a failed write would crash the process; the next write or close reports it.
    this.stream.on('error', (error) => (this.failure ??= error));
  }

  /**
   * Returns a promise only when the line filled a chunk and the chunk had to wait for the disk:
   * callers on a hot path skip the await (and its microtask) for every other line.
   */
  write(line: string): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (this.used + line.length * MAX_BYTES_PER_UNIT > CHUNK_BYTES) return this.writeSlow(line);
    this.used += this.chunk.write(line, this.used);
    return undefined;
  }

  /** `write` of a line already encoded (bytes[start, end), its newline included), e.g. by a write thread. */
  writeBytes(bytes: Uint8Array, start: number, end: number): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (this.used + (end - start) > CHUNK_BYTES) return this.writeBytesSlow(bytes.subarray(start, end));
    this.chunk.set(bytes.subarray(start, end), this.used);
    this.used += end - start;
    return undefined;
  }

  async close(): Promise<FileDigest> {
    await this.flush();
    if (this.failure) throw this.failure;
    this.stream.end();
    await once(this.stream, 'close');
    if (this.failure) throw this.failure;
    return { bytes: this.bytes, sha256: this.remote ? await this.remote.finish() : (this.hash?.digest('hex') ?? '') };
  }

  /** Drops the file handle after a failure elsewhere; the caller removes the directory. */
  abort(): void {
    this.stream.destroy();
  }

  private async writeSlow(line: string): Promise<void> {
    await this.flush();
    if (line.length * MAX_BYTES_PER_UNIT > CHUNK_BYTES) await this.send(Buffer.from(line));
    else this.used += this.chunk.write(line, this.used);
  }

  private async writeBytesSlow(line: Uint8Array): Promise<void> {
    await this.flush();
    // Copied: the stream holds on to what it is given until it is on disk.
    if (line.length > CHUNK_BYTES) await this.send(Buffer.from(line));
    else {
      this.chunk.set(line, this.used);
      this.used += line.length;
    }
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    const full = this.chunk;
    // The stream holds on to the chunk until it is on disk: the next lines go to another one.
    this.chunk = this.spare.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
    const data = full.subarray(0, this.used);
    this.used = 0;
    await this.send(data, full);
  }

  /** `chunk`: the writer's own chunk `data` is a view of, taken back once it is on disk. */
  private async send(data: Buffer, chunk?: Buffer<ArrayBuffer>): Promise<void> {
    this.hash?.update(data);
    this.remote?.update(data);
    this.bytes += data.length;
    // events.once rejects if the stream emits 'error' while we wait.
    const written = this.stream.write(data, (error) => {
      if (error) return;
      // On disk: the chunk can take the next lines.
      if (chunk !== undefined && this.spare.length < MAX_SPARE_CHUNKS) this.spare.push(chunk);
      this.bytesOnDisk += data.length;
      this.onDisk?.(this.bytesOnDisk);
    });
    if (!written) await once(this.stream, 'drain');
  }
}

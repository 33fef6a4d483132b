import { rmSync } from 'node:fs';
import type { ColumnSpec } from './column-kinds.js';
import { digestFile, type FileDigest } from './file-digest.js';
import type { ParquetEncodePool } from './parquet-encode-pool.js';
import { groupIsFull } from './parquet-file-writer.js';
import { ParquetGroupWriter, type EncodedGroup } from './parquet-group-writer.js';
import type { CodecChoice } from './parquet-thread.js';

const GROUP_START_BYTES = 1 << 20;

/**
 * A Parquet file whose row groups encode threads write (a `ParquetEncodePool`): its lines are cut
 * into groups exactly where `ParquetFileWriter` cuts its rows, each group is handed out whole, and
 * the encoded groups are appended in order, so the file has the bytes `ParquetFileWriter` writes.
 * The first error (a row the encoder could not take, a failed write) is kept and thrown by the
 * next `dispatch` or `close`; groups after it are dropped.
 */
export class ParquetPooledFile {
  /** The group's lines so far, newline-separated, in a buffer of the pool's, grown as needed. */
  private group: Uint8Array;
  private groupLength = 0;
  private groupRows = 0;
  private groupBytes = 0;
  private readonly cut: Uint8Array[] = [];
  /** The groups handed out, appended one after the other; never rejects. */
  private appended = Promise.resolve();
  private writer: ParquetGroupWriter | undefined;
  private failure: Error | undefined;
  private discarded = false;

  constructor(
    private readonly path: string,
    private readonly columns: readonly ColumnSpec[],
    private readonly codec: CodecChoice,
    private readonly pool: ParquetEncodePool,
  ) {
    this.group = pool.buffer(GROUP_START_BYTES);
  }

  /** One row's JSON text, copied: a line costs no object of its own. */
  addLine(bytes: Buffer, start: number, end: number): void {
    const length = end - start;
    const at = this.groupRows === 0 ? 0 : this.groupLength + 1;
    if (at + length > this.group.length) this.grow(at + length);
    if (at > 0) this.group[this.groupLength] = 10;
    this.group.set(bytes.subarray(start, end), at);
    this.groupLength = at + length;
    this.groupRows++;
    // The size `ParquetFileWriter` is given per line: its UTF-8 bytes and its newline.
    this.groupBytes += length + 1;
    if (groupIsFull(this.groupRows, this.groupBytes)) this.cutGroup();
  }

  /** Hands out the complete groups, waiting while the pool holds as many as it takes. */
  async dispatch(): Promise<void> {
    for (let lines = this.cut.shift(); lines; lines = this.cut.shift()) {
      if (this.failure) break;
      await this.pool.acquire();
      const encoded = this.pool.encode(lines, this.columns, this.codec);
      // Awaited in turn below; a failure meanwhile is kept there, not reported as unhandled.
      encoded.catch(() => undefined);
      this.appended = this.appended.then(() => this.append(encoded));
    }
    if (this.failure) throw this.failure;
  }

  async close(): Promise<FileDigest> {
    this.cutGroup();
    await this.dispatch();
    await this.appended;
    if (this.failure) throw this.failure;
    const writer = this.groupWriter();
    writer.finish();
    return digestFile(this.path);
  }

  /** The partial file is removed once no group is still being appended to it. */
  async discard(): Promise<void> {
    this.discarded = true;
    this.cut.length = 0;
    await this.appended;
    rmSync(this.path, { force: true });
  }

  private async append(encoded: Promise<EncodedGroup>): Promise<void> {
    try {
      const group = await encoded;
      if (!this.failure && !this.discarded) this.groupWriter().appendEncoded(group);
    } catch (error) {
      this.failure ??= error as Error;
    } finally {
      this.pool.release();
    }
  }

  private cutGroup(): void {
    if (this.groupRows === 0) return;
    // Its memory goes to an encode thread: the next group starts in a buffer of its own, of about this size.
    this.cut.push(this.group.subarray(0, this.groupLength));
    this.group = this.pool.buffer(Math.max(GROUP_START_BYTES, this.groupLength));
    this.groupLength = 0;
    this.groupRows = 0;
    this.groupBytes = 0;
  }

  /** Room for `bytes`, the lines so far kept: at least twice the room. */
  private grow(bytes: number): void {
    const bigger = this.pool.buffer(Math.max(bytes, 2 * this.group.length));
    bigger.set(this.group.subarray(0, this.groupLength));
    // Not given back: a buffer too small for this group would sit among the spares unused.
    this.group = bigger;
  }

  private groupWriter(): ParquetGroupWriter {
    // As `ParquetFileWriter`, the file is created with its first group (or empty, at the close).
    return (this.writer ??= new ParquetGroupWriter(this.path, this.columns, { codec: this.codec.codec }));
  }
}

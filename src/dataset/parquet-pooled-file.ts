import { rmSync } from 'node:fs';
import type { ColumnSpec } from './column-kinds.js';
import { digestFile, type FileDigest } from './file-digest.js';
import type { ParquetEncodePool } from './parquet-encode-pool.js';
import { groupIsFull } from './parquet-file-writer.js';
import { ParquetGroupWriter, type EncodedGroup } from './parquet-group-writer.js';
import type { CodecChoice } from './parquet-thread.js';

/**
 * A Parquet file whose row groups encode threads write (a `ParquetEncodePool`): its lines are cut
 * into groups exactly where `ParquetFileWriter` cuts its rows, each group is handed out whole, and
 * the encoded groups are appended in order, so the file has the bytes `ParquetFileWriter` writes.
 * The first error (a row the encoder could not take, a failed write) is kept and thrown by the
 * next `dispatch` or `close`; groups after it are dropped.
 */
export class ParquetPooledFile {
  private lines: Buffer[] = [];
  private lineBytes = 0;
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
  ) {}

  /** One row's JSON text (a view, kept until its group is cut). */
  addLine(line: Buffer): void {
    this.lines.push(line);
    this.lineBytes += line.length;
    // The size `ParquetFileWriter` is given per line: its UTF-8 bytes and its newline.
    this.groupBytes += line.length + 1;
    if (groupIsFull(this.lines.length, this.groupBytes)) this.cutGroup();
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
    if (this.lines.length === 0) return;
    const group = new Uint8Array(this.lineBytes + this.lines.length - 1);
    let at = 0;
    for (const line of this.lines) {
      if (at > 0) group[at++] = 10;
      group.set(line, at);
      at += line.length;
    }
    this.cut.push(group);
    this.lines = [];
    this.lineBytes = 0;
    this.groupBytes = 0;
  }

  private groupWriter(): ParquetGroupWriter {
    // As `ParquetFileWriter`, the file is created with its first group (or empty, at the close).
    return (this.writer ??= new ParquetGroupWriter(this.path, this.columns, { codec: this.codec.codec }));
  }
}

import type { ColumnSpec } from './column-kinds.js';
import { digestFile, type FileDigest } from './file-digest.js';
import { ParquetColumnBuffer, type BufferedRow } from './parquet-column-buffer.js';
import { ParquetGroupWriter, type ParquetCodec } from './parquet-group-writer.js';

export type { ParquetCodec } from './parquet-group-writer.js';

/**
 * Row groups close at whichever comes first. Both bounds depend only on the rows, so the same rows
 * always give the same bytes; memory holds one row group per open file.
 */
export const ROW_GROUP_ROWS = 10_000;
const ROW_GROUP_BYTES = 64 * 1024 * 1024;

/** Whether a row group of these rows (their JSON sizes summed) is complete. */
export function groupIsFull(rows: number, bytes: number): boolean {
  return rows >= ROW_GROUP_ROWS || bytes >= ROW_GROUP_BYTES;
}

/** Whether a file of this many rows is written as more than one row group. */
export function needsSeveralGroups(rows: number): boolean {
  return rows > ROW_GROUP_ROWS;
}

/**
 * One Parquet file written row by row. The schema is fixed up front from the column kinds, and the
 * file carries the Hugging Face features in its `huggingface` metadata, as `datasets` writes them.
 * A dataset write runs it on a `ParquetThread` (jsonl-to-parquet.ts), where rows arrive as JSON text.
 */
export class ParquetFileWriter {
  private readonly buffered: ParquetColumnBuffer;
  private bufferedBytes = 0;
  private writer: ParquetGroupWriter | undefined;
  rows = 0;

  constructor(
    readonly path: string,
    private readonly columns: readonly ColumnSpec[],
    private readonly codec: ParquetCodec,
  ) {
    if (codec.codec === 'ZSTD' && !codec.zstd) throw new Error('ParquetFileWriter: ZSTD needs a compressor');
    this.buffered = new ParquetColumnBuffer(columns);
  }

  /** `sizeHint` is the row's JSON size, used only to bound a row group's memory. */
  add(row: object, sizeHint: number): void {
    this.buffer(row, sizeHint);
  }

  /** A row as its JSON text (one line, no newline needed). */
  addJson(json: string, sizeHint: number): void {
    this.buffer(json, sizeHint);
  }

  /**
   * A row as its JSON line's bytes (valid UTF-8, no newline). Its text may be handed to the writer
   * as views of `line`: the bytes must stay as they are until the row's group is written.
   */
  addLine(line: Buffer, sizeHint: number): void {
    this.buffered.addLine(line);
    this.counted(sizeHint);
  }

  async close(): Promise<FileDigest> {
    const writer = this.groupWriter();
    this.writeGroup();
    writer.finish();
    return digestFile(this.path);
  }

  private buffer(row: BufferedRow, sizeHint: number): void {
    this.buffered.add(row);
    this.counted(sizeHint);
  }

  private counted(sizeHint: number): void {
    this.bufferedBytes += sizeHint;
    this.rows++;
    if (groupIsFull(this.buffered.rows, this.bufferedBytes)) this.writeGroup();
  }

  private groupWriter(): ParquetGroupWriter {
    return (this.writer ??= new ParquetGroupWriter(this.path, this.columns, this.codec));
  }

  private writeGroup(): void {
    this.groupWriter().writeGroup(this.buffered);
    this.buffered.clear();
    this.bufferedBytes = 0;
  }
}

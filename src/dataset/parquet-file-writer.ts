import type { ColumnSpec } from './column-kinds.js';
import { digestFile, type FileDigest } from './file-digest.js';
import { ParquetGroupWriter, type BufferedRow, type ParquetCodec } from './parquet-group-writer.js';

export type { ParquetCodec } from './parquet-group-writer.js';

/**
 * Row groups close at whichever comes first. Both bounds depend only on the rows, so the same rows
 * always give the same bytes; memory holds one row group per open file.
 */
export const ROW_GROUP_ROWS = 10_000;
const ROW_GROUP_BYTES = 64 * 1024 * 1024;

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
  private buffered: BufferedRow[] = [];
  private bufferedBytes = 0;
  private writer: ParquetGroupWriter | undefined;
  rows = 0;

  constructor(
    readonly path: string,
    private readonly columns: readonly ColumnSpec[],
    private readonly codec: ParquetCodec,
  ) {
    if (codec.codec === 'ZSTD' && !codec.zstd) throw new Error('ParquetFileWriter: ZSTD needs a compressor');
  }

  /** `sizeHint` is the row's JSON size, used only to bound a row group's memory. */
  add(row: object, sizeHint: number): void {
    this.buffer(row, sizeHint);
  }

  /** A row as its JSON text (one line, no newline needed), parsed only when its group is written. */
  addJson(json: string, sizeHint: number): void {
    this.buffer(json, sizeHint);
  }

  async close(): Promise<FileDigest> {
    const writer = this.groupWriter();
    writer.writeGroup(this.takeGroup());
    writer.finish();
    return digestFile(this.path);
  }

  private buffer(row: BufferedRow, sizeHint: number): void {
    this.buffered.push(row);
    this.bufferedBytes += sizeHint;
    this.rows++;
    if (this.buffered.length >= ROW_GROUP_ROWS || this.bufferedBytes >= ROW_GROUP_BYTES) this.groupWriter().writeGroup(this.takeGroup());
  }

  private groupWriter(): ParquetGroupWriter {
    return (this.writer ??= new ParquetGroupWriter(this.path, this.columns, this.codec));
  }

  private takeGroup(): BufferedRow[] {
    const group = this.buffered;
    this.buffered = [];
    this.bufferedBytes = 0;
    return group;
  }
}

import { fileWriter, ParquetWriter, type Writer } from 'hyparquet-writer';
import type { ColumnSpec } from './column-kinds.js';
import { digestFile, type FileDigest } from './file-digest.js';
import { featuresDictOf } from './hf-features.js';
import { parquetSchemaOf, toParquetValue } from './parquet-columns.js';

/**
 * Row groups close at whichever comes first. Both bounds depend only on the rows, so the same rows
 * always give the same bytes; memory holds one row group per open file.
 */
const ROW_GROUP_ROWS = 10_000;
const ROW_GROUP_BYTES = 64 * 1024 * 1024;

export interface ParquetCodec {
  codec: 'ZSTD' | 'SNAPPY';
  /** Required for ZSTD (see zstd-compressor.ts); snappy is built into the writer. */
  zstd?: (input: Uint8Array) => Uint8Array;
}

/**
 * One Parquet file written row by row. The schema is fixed up front from the column kinds, and the
 * file carries the Hugging Face features in its `huggingface` metadata, as `datasets` writes them.
 */
export class ParquetFileWriter {
  private readonly sink: Writer;
  private readonly writer: ParquetWriter;
  private buffered: object[] = [];
  private bufferedBytes = 0;
  rows = 0;

  constructor(
    readonly path: string,
    private readonly columns: readonly ColumnSpec[],
    codec: ParquetCodec,
  ) {
    if (codec.codec === 'ZSTD' && !codec.zstd) throw new Error('ParquetFileWriter: ZSTD needs a compressor');
    this.sink = fileWriter(path);
    this.writer = new ParquetWriter({
      writer: this.sink,
      schema: parquetSchemaOf(columns),
      codec: codec.codec,
      ...(codec.zstd ? { compressors: { ZSTD: codec.zstd } } : {}),
      // No version number: a tool upgrade alone must not change the bytes of an identical dataset.
      createdBy: 'synthforge',
      kvMetadata: [{ key: 'huggingface', value: JSON.stringify({ info: { features: featuresDictOf(columns) } }) }],
    });
  }

  /** `sizeHint` is the row's JSON size, used only to bound a row group's memory. */
  async add(row: object, sizeHint: number): Promise<void> {
    this.buffered.push(row);
    this.bufferedBytes += sizeHint;
    this.rows++;
    if (this.buffered.length >= ROW_GROUP_ROWS || this.bufferedBytes >= ROW_GROUP_BYTES) await this.flushGroup();
  }

  async close(): Promise<FileDigest> {
    await this.flushGroup();
    await this.writer.finish();
    return digestFile(this.path);
  }

  private async flushGroup(): Promise<void> {
    if (this.buffered.length === 0) return;
    const rows = this.buffered;
    this.buffered = [];
    this.bufferedBytes = 0;
    const columnData = this.columns.map(({ name, kind }) => ({ name, data: rows.map((row) => toParquetValue(kind, (row as Record<string, unknown>)[name])) }));
    await this.writer.write({ columnData, rowGroupSize: rows.length });
  }
}

import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import type { ColumnSpec } from './column-kinds.js';
import { featuresDictOf } from './hf-features.js';
import { parquetSchemaOf, toParquetValue } from './parquet-columns.js';

export interface ParquetCodec {
  codec: 'ZSTD' | 'SNAPPY';
  /** Required for ZSTD (see zstd-compressor.ts); snappy is built into the writer. */
  zstd?: (input: Uint8Array) => Uint8Array;
}

/** A row as the writer was handed it: an object, or its JSON text (parsed only when its group is written). */
export type BufferedRow = object | string;

/** The encoding half of a Parquet file, synchronous: what runs on a `ParquetThread` or in place. */
export class ParquetGroupWriter {
  private readonly writer: ParquetWriter;

  constructor(path: string, private readonly columns: readonly ColumnSpec[], codec: ParquetCodec) {
    this.writer = new ParquetWriter({
      writer: fileWriter(path),
      schema: parquetSchemaOf(columns),
      codec: codec.codec,
      ...(codec.zstd ? { compressors: { ZSTD: codec.zstd } } : {}),
      // No version number: a tool upgrade alone must not change the bytes of an identical dataset.
      createdBy: 'synthforge',
      kvMetadata: [{ key: 'huggingface', value: JSON.stringify({ info: { features: featuresDictOf(columns) } }) }],
    });
  }

  /** One row group; an empty group writes nothing. */
  writeGroup(group: readonly BufferedRow[]): void {
    if (group.length === 0) return;
    const rows = group.map((row) => (typeof row === 'string' ? (JSON.parse(row) as Record<string, unknown>) : (row as Record<string, unknown>)));
    const columnData = this.columns.map(({ name, kind }) => ({ name, data: rows.map((row) => toParquetValue(kind, row[name])) }));
    void this.writer.write({ columnData, rowGroupSize: rows.length });
  }

  finish(): void {
    this.writer.finish();
  }
}

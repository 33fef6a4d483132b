import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import type { ColumnSpec } from './column-kinds.js';
import { featuresDictOf } from './hf-features.js';
import type { RowGroup } from 'hyparquet';
import type { ParquetColumnBuffer } from './parquet-column-buffer.js';
import { parquetSchemaOf } from './parquet-columns.js';

export interface ParquetCodec {
  codec: 'ZSTD' | 'SNAPPY';
  /** Required for ZSTD (see zstd-compressor.ts); snappy is built into the writer. */
  zstd?: (input: Uint8Array) => Uint8Array;
}


/** The encoding half of a Parquet file, synchronous: what runs on a `ParquetThread` or in place. */
export class ParquetGroupWriter {
  private readonly writer: ParquetWriter;

  constructor(path: string, columns: readonly ColumnSpec[], codec: ParquetCodec) {
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

  /** One row group; an empty group writes nothing. The buffer may be cleared once this returns. */
  writeGroup(group: ParquetColumnBuffer): void {
    if (group.rows === 0) return;
    void this.writer.write({ columnData: group.columnData(), rowGroupSize: group.rows });
    detachStatistics(this.writer.row_groups.at(-1)!);
  }

  finish(): void {
    this.writer.finish();
  }
}

/**
 * The writer keeps each chunk's min and max as it was handed them, until the footer is written; a
 * view into the text arena (parquet-ascii-text.ts) would read the next group's bytes by then, so they are copied out.
 */
function detachStatistics(group: RowGroup): void {
  for (const { meta_data } of group.columns) {
    const statistics = meta_data?.statistics;
    if (!statistics) continue;
    if (statistics.min_value instanceof Uint8Array) statistics.min_value = statistics.min_value.slice();
    if (statistics.max_value instanceof Uint8Array) statistics.max_value = statistics.max_value.slice();
  }
}

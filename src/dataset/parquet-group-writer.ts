import { ByteWriter, fileWriter, ParquetWriter } from 'hyparquet-writer';
import type { Writer } from 'hyparquet-writer';
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

type PageIndexes = ParquetWriter['pendingIndexes'][number];

/**
 * One row group encoded away from its file (an encode thread, parquet-encode-worker.ts): its bytes
 * and metadata with every file offset as if the group began right after the file's header, which
 * `ParquetGroupWriter.appendEncoded` shifts to where it lands. Plain data: it crosses threads.
 */
export interface EncodedGroup {
  bytes: Uint8Array;
  rowGroup: RowGroup;
  /** Each column chunk's page indexes, in the row group's column order (their `chunk` is set on append). */
  indexes: Omit<PageIndexes, 'chunk'>[];
}

/** The header's 4 bytes ('PAR1'): where a group encoded on its own starts. */
const HEADER_BYTES = 4;

/** The encoding half of a Parquet file, synchronous: what runs on a `ParquetThread` or in place. */
export class ParquetGroupWriter {
  private readonly writer: ParquetWriter;

  constructor(path: string, columns: readonly ColumnSpec[], codec: ParquetCodec) {
    this.writer = parquetWriterOf(fileWriter(path), columns, codec);
  }

  /** One row group; an empty group writes nothing. The buffer may be cleared once this returns. */
  writeGroup(group: ParquetColumnBuffer): void {
    if (group.rows === 0) return;
    void this.writer.write({ columnData: group.columnData(), rowGroupSize: group.rows });
    detachStatistics(this.writer.row_groups.at(-1)!);
  }

  /**
   * A group `encodeGroup` wrote, as `writeGroup` would have written it here: its bytes appended and
   * its offsets moved to where they landed, so `finish` writes the footer `ParquetWriter.finish`
   * writes for the same groups.
   */
  appendEncoded(group: EncodedGroup): void {
    const writer = this.writer;
    const shift = BigInt(writer.writer.offset - HEADER_BYTES);
    writer.writer.appendBytes(group.bytes);
    for (const [index, chunk] of group.rowGroup.columns.entries()) {
      chunk.file_offset += shift;
      const meta = chunk.meta_data!;
      meta.data_page_offset += shift;
      if (meta.dictionary_page_offset !== undefined) meta.dictionary_page_offset += shift;
      const indexes = group.indexes[index]!;
      for (const page of indexes.offsetIndex?.page_locations ?? []) page.offset += shift;
      writer.pendingIndexes.push({ ...indexes, chunk });
    }
    writer.row_groups.push(group.rowGroup);
    writer.num_rows += group.rowGroup.num_rows;
  }

  finish(): void {
    this.writer.finish();
  }
}

/**
 * One row group written as `ParquetGroupWriter.writeGroup` writes it, into memory: the same writer
 * over a buffer, the file's header left off. A non-empty group only.
 */
export function encodeGroup(group: ParquetColumnBuffer, columns: readonly ColumnSpec[], codec: ParquetCodec): EncodedGroup {
  const bytes = new ByteWriter(HEADER_BYTES + (1 << 20));
  const writer = parquetWriterOf(bytes, columns, codec);
  void writer.write({ columnData: group.columnData(), rowGroupSize: group.rows });
  const rowGroup = writer.row_groups[0]!;
  detachStatistics(rowGroup);
  return {
    bytes: new Uint8Array(bytes.buffer, HEADER_BYTES, bytes.index - HEADER_BYTES),
    rowGroup,
    indexes: writer.pendingIndexes.map(({ chunk: _chunk, ...indexes }) => indexes),
  };
}

function parquetWriterOf(writer: Writer, columns: readonly ColumnSpec[], codec: ParquetCodec): ParquetWriter {
  return new ParquetWriter({
    writer,
    schema: parquetSchemaOf(columns),
    codec: codec.codec,
    ...(codec.zstd ? { compressors: { ZSTD: codec.zstd } } : {}),
    // No version number: a tool upgrade alone must not change the bytes of an identical dataset.
    createdBy: 'synthforge',
    kvMetadata: [{ key: 'huggingface', value: JSON.stringify({ info: { features: featuresDictOf(columns) } }) }],
  });
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

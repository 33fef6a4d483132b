import type { ColumnSpec } from './column-kinds.js';
import { ParquetColumnBuffer } from './parquet-column-buffer.js';
import { encodeGroup, type EncodedGroup, type ParquetCodec } from './parquet-group-writer.js';

/** The last columns' buffer, kept: a file's groups come with the same columns, and its text arena is reused. */
let buffered: { columnsJson: string; buffer: ParquetColumnBuffer } | undefined;

/**
 * One row group from its lines (newline-separated JSON, no empty line, no CR), parsed one by one as
 * `GrowingJsonlToParquet` hands them to a `ParquetFileWriter`, and encoded as that writer would.
 */
export function encodeGroupLines(lines: Uint8Array, columns: readonly ColumnSpec[], codec: ParquetCodec): EncodedGroup {
  const buffer = bufferFor(columns);
  const bytes = Buffer.from(lines.buffer, lines.byteOffset, lines.byteLength);
  try {
    let start = 0;
    while (start < bytes.length) {
      const newline = bytes.indexOf(10, start);
      const end = newline === -1 ? bytes.length : newline;
      buffer.addLine(bytes.subarray(start, end));
      start = end + 1;
    }
    return encodeGroup(buffer, columns, codec);
  } finally {
    buffer.clear();
  }
}

function bufferFor(columns: readonly ColumnSpec[]): ParquetColumnBuffer {
  const columnsJson = JSON.stringify(columns);
  if (buffered?.columnsJson !== columnsJson) buffered = { columnsJson, buffer: new ParquetColumnBuffer(columns) };
  return buffered.buffer;
}

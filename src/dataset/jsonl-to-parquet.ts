import type { ColumnSpec } from './column-kinds.js';
import type { FileDigest } from './file-digest.js';
import { ParquetFileWriter, type ParquetCodec } from './parquet-file-writer.js';
import { readFileLines } from './read-file-lines.js';

/**
 * The Parquet twin of a JSONL data file (or of a rows file kept only for this): the same rows in the
 * same order, each line's bytes (newline included) bounding the row groups. Reading the file here,
 * rather than being handed the rows, lets a `ParquetThread` do it without the main thread copying
 * a byte; the same lines give the same file wherever it runs.
 */
export async function jsonlToParquet(jsonlPath: string, parquetPath: string, columns: readonly ColumnSpec[], codec: ParquetCodec): Promise<FileDigest> {
  const writer = new ParquetFileWriter(parquetPath, columns, codec);
  for await (const line of readFileLines(jsonlPath)) {
    if (line !== '') writer.addJson(line, Buffer.byteLength(line) + 1);
  }
  return writer.close();
}

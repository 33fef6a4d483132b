import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { seedErrorAt } from './errors.js';
import { normalizeParquetValue } from './normalize-parquet-value.js';
import type { RawSeed } from './seed-source.js';

/**
 * Reads one row group at a time, so memory holds a row group, never the file. Rows are numbered
 * from 1 in error messages (Parquet has no lines). Every codec hyparquet-compressors knows is read.
 */
export async function* readParquetSeeds(file: string, sourceIndex: number): AsyncGenerator<RawSeed> {
  const buffer = await asyncBufferFromFile(file);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (error) {
    throw seedErrorAt({ file }, sourceIndex, `not a readable Parquet file: ${messageOf(error)}`, { cause: error });
  }

  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file: buffer, metadata, rowStart, rowEnd, compressors });
    } catch (error) {
      const problem = `cannot read rows ${rowStart + 1}-${rowEnd}: ${messageOf(error)}`;
      throw seedErrorAt({ file, row: rowStart + 1 }, sourceIndex, problem, { cause: error });
    }
    for (const [offset, row] of rows.entries()) {
      const ordinal = rowStart + offset;
      const fields = normalizeParquetValue(row) as Record<string, unknown>;
      yield { fields, ordinal, position: { file, row: ordinal + 1 } };
    }
    rowStart = rowEnd;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

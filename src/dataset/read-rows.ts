import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { ColumnSpec } from './column-kinds.js';
import { fromParquetValue } from './parquet-columns.js';

export async function* readJsonlRows(path: string): AsyncGenerator<Record<string, unknown>> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line !== '') yield JSON.parse(line) as Record<string, unknown>;
  }
}

/**
 * Reads one row group at a time. Values come back as the JSONL row held them: INT64 as numbers,
 * `json` columns parsed, nulls left out (a missing value and a null are one thing in Parquet).
 */
export async function* readParquetRows(path: string, columns: readonly ColumnSpec[]): AsyncGenerator<Record<string, unknown>> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    const rows = await parquetReadObjects({ file, metadata, rowStart, rowEnd, compressors });
    for (const raw of rows) {
      yield columns.length ? rowFromColumns(raw, columns) : rowWithoutSchema(raw);
    }
    rowStart = rowEnd;
  }
}

function rowFromColumns(raw: Record<string, unknown>, columns: readonly ColumnSpec[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const { name, kind } of columns) {
    const value = fromParquetValue(kind, raw[name]);
    if (value !== undefined) row[name] = value;
  }
  return row;
}

/** A file whose manifest names no column kinds (an export, an old version): plain values, nulls dropped. */
function rowWithoutSchema(raw: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === null || value === undefined) continue;
    row[name] = typeof value === 'bigint' ? Number(value) : value;
  }
  return row;
}

/**
 * Pages of a split's rows without reading the split: a JSONL data file gets an index of its line
 * starts, built once by one streamed pass and kept (versions never change once published), so a
 * page is one positioned read of its bytes. A version with only Parquet files is read by row range
 * (hyparquet decodes just the row groups the range touches).
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { ColumnSpec } from '../dataset/column-kinds.js';
import type { OpenedDataset } from '../dataset/open-dataset.js';
import { fromParquetValue } from '../dataset/parquet-columns.js';
import type { DataFileInfo } from '../dataset/split-shards.js';
import { SplitIds } from './split-ids.js';

export interface RowPage {
  split: string;
  offset: number;
  limit: number;
  total: number;
  /** `index`: the row's position in its split, which is how the viewer addresses a row. */
  rows: { index: number; row: Record<string, unknown> }[];
}

/** Line-start indexes of this many files are kept; each costs 8 bytes a row. */
const INDEXES_KEPT = 32;

export class RowPages {
  private readonly indexes = new Map<string, Promise<Float64Array>>();

  constructor(private readonly ids = new SplitIds()) {}

  /** Rows `offset .. offset + limit` of one split, in file order. */
  async page(opened: OpenedDataset, split: string, offset: number, limit: number): Promise<RowPage> {
    const files = filesOf(opened, split);
    const total = files.reduce((sum, file) => sum + file.rows, 0);
    const rows: RowPage['rows'] = [];
    // Rows of a format written without `id` (openai-chat) get it back from lineage.jsonl, as openDataset gives them.
    const ids = SplitIds.needed(opened) ? await this.ids.of(opened, split) : undefined;
    let first = 0;
    for (const file of files) {
      const end = first + file.rows;
      const from = Math.max(offset, first);
      const to = Math.min(offset + limit, end);
      if (from < to) {
        const read = await this.readRange(opened, file, from - first, to - first);
        read.forEach((row, position) => rows.push({ index: from + position, row: SplitIds.withId(row, ids, from + position) }));
      }
      first = end;
      if (first >= offset + limit) break;
    }
    return { split, offset, limit, total, rows };
  }

  private async readRange(opened: OpenedDataset, file: DataFileInfo, start: number, end: number): Promise<Record<string, unknown>[]> {
    const path = join(opened.dir, file.path);
    if (file.format === 'parquet') return readParquetRange(path, opened.manifest.columns, start, end);
    const starts = await this.lineStarts(path);
    const from = starts[start]!;
    const to = starts[end] ?? starts[starts.length - 1]!;
    const handle = await open(path, 'r');
    try {
      const bytes = Buffer.alloc(to - from);
      await handle.read(bytes, 0, bytes.length, from);
      return bytes
        .toString('utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    } finally {
      await handle.close();
    }
  }

  /** Byte offset of every line's start, plus the file's length as a last entry. */
  private lineStarts(path: string): Promise<Float64Array> {
    let index = this.indexes.get(path);
    if (!index) {
      index = buildLineIndex(path);
      index.catch(() => this.indexes.delete(path));
      this.indexes.set(path, index);
      if (this.indexes.size > INDEXES_KEPT) this.indexes.delete(this.indexes.keys().next().value!);
    }
    return index;
  }
}

/** The files a split's rows are read from: JSONL when the version has it, else Parquet (as openDataset). */
export function filesOf(opened: OpenedDataset, split: string): DataFileInfo[] {
  const source = opened.manifest.files.some((file) => file.format === 'jsonl') ? 'jsonl' : 'parquet';
  return opened.manifest.files.filter((file) => file.format === source && file.split === split);
}

async function buildLineIndex(path: string): Promise<Float64Array> {
  const { size } = await stat(path);
  let starts = new Float64Array(1024);
  let count = 0;
  const push = (offset: number): void => {
    if (count === starts.length) {
      const grown = new Float64Array(starts.length * 2);
      grown.set(starts);
      starts = grown;
    }
    starts[count++] = offset;
  };
  let position = 0;
  let lineStart = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let at = chunk.indexOf(10);
    while (at !== -1) {
      const end = position + at + 1;
      // Blank lines are not rows (readJsonlRows skips them too).
      if (end - lineStart > 1) push(lineStart);
      lineStart = end;
      at = chunk.indexOf(10, at + 1);
    }
    position += chunk.length;
  }
  if (size > lineStart) push(lineStart);
  push(size);
  return starts.slice(0, count);
}

async function readParquetRange(path: string, columns: readonly ColumnSpec[], rowStart: number, rowEnd: number): Promise<Record<string, unknown>[]> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const raw = await parquetReadObjects({ file, metadata, rowStart, rowEnd, compressors });
  return raw.map((row) => fromParquetRow(row, columns));
}

/** As `read-rows.ts` reads a Parquet row: JSONL's values back, nulls left out. */
export function fromParquetRow(raw: Record<string, unknown>, columns: readonly ColumnSpec[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  if (columns.length === 0) {
    for (const [name, value] of Object.entries(raw)) {
      if (value !== null && value !== undefined) row[name] = typeof value === 'bigint' ? Number(value) : value;
    }
    return row;
  }
  for (const { name, kind } of columns) {
    const value = fromParquetValue(kind, raw[name]);
    if (value !== undefined) row[name] = value;
  }
  return row;
}

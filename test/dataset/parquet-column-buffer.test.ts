import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compress } from '@bokuweb/zstd-wasm';
import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { ColumnTracker, type ColumnSpec } from '../../src/dataset/column-kinds.js';
import { featuresDictOf } from '../../src/dataset/hf-features.js';
import { ParquetColumnBuffer } from '../../src/dataset/parquet-column-buffer.js';
import { parquetSchemaOf, toParquetValue } from '../../src/dataset/parquet-columns.js';
import { ParquetFileWriter, ROW_GROUP_ROWS, type ParquetCodec } from '../../src/dataset/parquet-file-writer.js';
import { readParquetRows } from '../../src/dataset/read-rows.js';
import { DEFAULT_ZSTD_LEVEL, loadZstdCompressor } from '../../src/dataset/zstd-compressor.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

const long = (index: number, extra = '') => `long text number ${index} `.repeat(1 + (index % 5)) + extra;

/** Long ASCII text (handed over as bytes), with one non-ASCII value late in a group per text leaf. */
const rows: Record<string, unknown>[] = Array.from({ length: 23_456 }, (_, index) => ({
  text: index % 11 ? long(index, index === 9_000 ? 'ü' : '') : null,
  messages:
    index % 13
      ? [
          { role: index % 2 ? 'user' : 'assistant', content: long(index, index === 14_999 ? '日本語' : 'x'.repeat(index % 300)) },
          { role: 'assistant', content: index % 7 ? long(index + 1, index === 777 ? '\ud800' : '') : null },
          { content: long(index + 2) },
        ]
      : null,
  tags: index % 5 ? [long(index), index === 5_000 ? `naïve ${long(index)}` : long(index + 3), ''] : [],
  json: { a: index === 3 ? `Ω${long(index)}` : long(index), b: [index] },
  embedding: [index / 7, 0.1, -2.25],
  note: index % 17 === 0 ? 'short' : long(index),
  count: index % 3 ? index : null,
}));

function columnsOf(records: readonly object[]): ColumnSpec[] {
  const tracker = new ColumnTracker([], { vectorColumns: ['embedding'] });
  for (const row of records) tracker.observe(row);
  return tracker.columns();
}

/** The file as hyparquet-writer writes it from the rows' strings, each page through a fresh zstd context. */
function referenceFile(path: string, columns: readonly ColumnSpec[], records: readonly Record<string, unknown>[], codec: ParquetCodec['codec']): Buffer {
  const writer = new ParquetWriter({
    writer: fileWriter(path),
    schema: parquetSchemaOf(columns),
    codec,
    ...(codec === 'ZSTD' ? { compressors: { ZSTD: (input: Uint8Array) => compress(input, DEFAULT_ZSTD_LEVEL) } } : {}),
    createdBy: 'synthforge',
    kvMetadata: [{ key: 'huggingface', value: JSON.stringify({ info: { features: featuresDictOf(columns) } }) }],
  });
  for (let start = 0; start < records.length; start += ROW_GROUP_ROWS) {
    const group = records.slice(start, start + ROW_GROUP_ROWS);
    void writer.write({ columnData: columns.map(({ name, kind }) => ({ name, data: group.map((row) => toParquetValue(kind, row[name])) })), rowGroupSize: group.length });
  }
  writer.finish();
  return readFileSync(path);
}

/** A row as read back: null values are left out, in the row and in its structs. */
function withoutNulls(row: Record<string, unknown>): Record<string, unknown> {
  const drop = (record: Record<string, unknown>) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null));
  return Object.fromEntries(
    Object.entries(drop(row)).map(([key, value]) => [key, key === 'messages' ? (value as Record<string, unknown>[]).map(drop) : value]),
  );
}

describe('ParquetColumnBuffer', async () => {
  // The file under test is compressed as a write compresses it (natively where zstd-napi loads); the
  // reference with the WebAssembly build's one-shot `compress`, once the loader has started that build
  // (starting it twice would leave the loader's context in the first instance): the same bytes either way.
  const zstd = await loadZstdCompressor();
  await loadZstdCompressor(DEFAULT_ZSTD_LEVEL, 'wasm');

  for (const codec of [{ codec: 'ZSTD', zstd }, { codec: 'SNAPPY' }] satisfies ParquetCodec[]) {
    it(`gives the bytes hyparquet-writer gives from strings (${codec.codec}): text as bytes, leaves turned back to strings at a non-ASCII value`, async () => {
      const dir = tempDir();
      const columns = columnsOf(rows);
      const expected = referenceFile(join(dir, 'reference.parquet'), columns, rows, codec.codec);
      const fromRows = new ParquetFileWriter(join(dir, 'rows.parquet'), columns, codec);
      const fromJson = new ParquetFileWriter(join(dir, 'json.parquet'), columns, codec);
      for (const row of rows) {
        fromRows.add(row, 100);
        fromJson.addJson(JSON.stringify(row), 100);
      }
      await fromRows.close();
      await fromJson.close();
      expect(readFileSync(join(dir, 'rows.parquet')).equals(expected)).toBe(true);
      expect(readFileSync(join(dir, 'json.parquet')).equals(expected)).toBe(true);
    });
  }

  it('reads back every row as written, and leaves the rows it was handed as they were', async () => {
    const path = join(tempDir(), 'rows.parquet');
    const columns = columnsOf(rows);
    const before = JSON.stringify(rows);
    const writer = new ParquetFileWriter(path, columns, { codec: 'ZSTD', zstd });
    for (const row of rows) writer.add(row, 100);
    await writer.close();
    expect(JSON.stringify(rows)).toBe(before);
    let index = 0;
    for await (const row of readParquetRows(path, columns)) {
      const { embedding, ...rest } = rows[index++]!;
      expect(row).toEqual({ ...withoutNulls(rest), embedding: expect.any(Array) });
      expect((row as { embedding: number[] }).embedding).toEqual((embedding as number[]).map(Math.fround));
    }
    expect(index).toBe(rows.length);
  });

  it('hands long ASCII text over as bytes, short text as strings, and a leaf back as strings from its first non-ASCII value', () => {
    const buffer = new ParquetColumnBuffer([
      { name: 'text', kind: { type: 'string' } },
      { name: 'label', kind: { type: 'string' } },
      { name: 'turns', kind: { type: 'struct-list', fields: ['role', 'content'] } },
    ]);
    buffer.add({ text: long(1), label: 'a', turns: [{ role: 'user', content: long(2) }] });
    buffer.add(JSON.stringify({ text: null, label: long(3), turns: [{ content: long(4) }] }));
    const first = Object.fromEntries(buffer.columnData().map(({ name, data }) => [name, data]));
    expect(first.text![0]).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(first.text![0] as Uint8Array).toString()).toBe(long(1));
    expect(first.text![1]).toBeNull();
    expect(first.label).toEqual(['a', long(3)]);
    const turns = first.turns as { role: unknown; content: unknown }[][];
    expect(turns[0]![0]!.role).toBe('user');
    expect(turns[1]![0]!.content).toBeInstanceOf(Uint8Array);

    // A non-ASCII character first: its string takes as many bytes as it has characters only once cut short.
    buffer.add({ text: `é${long(5)}`, label: 'b', turns: [{ role: 'assistant', content: long(6) }, { role: 'user', content: 'ÿ' }] });
    const second = Object.fromEntries(buffer.columnData().map(({ name, data }) => [name, data]));
    expect(second.text).toEqual([long(1), null, `é${long(5)}`]);
    // The row's own earlier struct too.
    expect((second.turns as { content: unknown }[][]).map((list) => list.map((turn) => turn.content))).toEqual([[long(2)], [long(4)], [long(6), 'ÿ']]);

    // A new group decides again.
    buffer.clear();
    buffer.add({ text: long(6), label: 'c', turns: [] });
    expect(buffer.columnData()[0]!.data[0]).toBeInstanceOf(Uint8Array);
    expect(buffer.rows).toBe(1);
  });
});

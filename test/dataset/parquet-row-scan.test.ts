import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ColumnSpec } from '../../src/dataset/column-kinds.js';
import { ParquetColumnBuffer } from '../../src/dataset/parquet-column-buffer.js';
import { ParquetFileWriter, ROW_GROUP_ROWS } from '../../src/dataset/parquet-file-writer.js';
import { ParquetRowScan } from '../../src/dataset/parquet-row-scan.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

const columns: ColumnSpec[] = [
  { name: 'prompt', kind: { type: 'string' } },
  { name: 'messages', kind: { type: 'struct-list', fields: ['role', 'content'] } },
];

const long = (index: number) => `text number ${index} `.repeat(2 + (index % 4));

/** Rows of every kind the scan takes or leaves to JSON.parse, as JSON lines; a group's first rows decide its leaves. */
function lines(): string[] {
  const out: string[] = [];
  for (let index = 0; index < ROW_GROUP_ROWS + 2_500; index++) {
    const shape = index % 17;
    if (index === ROW_GROUP_ROWS) out.push(`{"prompt":"${'p'.repeat(32)}","messages":[{"role":"${'r'.repeat(31)}","content":"${'c'.repeat(32)}"}]}`);
    else if (shape === 0) out.push(JSON.stringify({ prompt: index === ROW_GROUP_ROWS ? 'short' : long(index), messages: null }));
    else if (shape === 1) out.push(`{"messages":[{"content":"line\\none \\"quoted\\" \\\\ \\/ \\u0041 ${long(index)}","role":"user"},{"role":null}],"prompt":"${long(index)}"}`);
    else if (shape === 2) out.push(`{"prompt":"caf\\u00e9 ${long(index)}","messages":[]}`); // ASCII line, non-ASCII value
    else if (shape === 3) out.push(`{ "prompt": "${long(index)}" }`); // whitespace: parsed
    else if (shape === 4) out.push(JSON.stringify({ prompt: `naïve ${long(index)}`, messages: [{ role: 'user', content: 'ü' }] })); // non-ASCII line
    else if (shape === 5) out.push(`{"prompt":"first","prompt":"${long(index)}"}`); // a key twice: the last, as JSON.parse takes it
    else if (shape === 6) out.push(`{"prompt":"${long(index)}","messages":[{"role":"user","content":"${long(index)}","extra":1}],"other":2}`);
    else if (shape === 7) out.push('{}');
    else if (shape === 8) out.push(`{"prompt":"","messages":[{}]}`);
    else if (shape === 9) out.push(`{"prompt":"${'x'.repeat(31)}","messages":[{"role":"${'y'.repeat(32)}","content":""}]}`);
    else out.push(JSON.stringify({ messages: [{ role: 'system', content: long(index) }, { role: 'user', content: long(index + 1) }, { role: 'assistant', content: index % 9 ? long(index + 2) : null }] }));
  }
  return out;
}

describe('ParquetRowScan', () => {
  it('scans the chat and flat rows it can take from the bytes, and leaves the rest to JSON.parse', () => {
    const scan = ParquetRowScan.of(columns)!;
    const takes = (line: string) => scan.scan(Buffer.from(line));
    expect(takes('{"messages":[{"role":"user","content":"hi \\"there\\""},{"content":null,"role":"assistant"}]}')).toBe(true);
    expect(takes('{"prompt":null}')).toBe(true);
    expect(takes('{}')).toBe(true);
    expect(takes('{"prompt":"a\\\\"}')).toBe(true);
    expect(takes('{ "prompt":"a"}')).toBe(false);
    expect(takes('{"prompt":"é"}')).toBe(false);
    expect(takes('{"prompt":"a","prompt":"b"}')).toBe(false);
    expect(takes('{"prompt":1}')).toBe(false);
    expect(takes('{"prompt":"a","other":"b"}')).toBe(false);
    expect(takes('{"messages":[null]}')).toBe(false);
    expect(takes('{"messages":[{"role":"a","name":"b"}]}')).toBe(false);
    expect(takes('{"prompt":"a"}x')).toBe(false);
    expect(takes('{"prompt":"a')).toBe(false);
    expect(takes('{"prompt":"a\\"}')).toBe(false);
    expect(ParquetRowScan.of([{ name: 'count', kind: { type: 'int64' } }])).toBeUndefined();
  });

  it('hands the writer the values JSON.parse of the line gives, as bytes or strings alike', () => {
    const fromText = new ParquetColumnBuffer(columns);
    const fromBytes = new ParquetColumnBuffer(columns);
    const all = lines();
    for (let start = 0; start < all.length; start += ROW_GROUP_ROWS) {
      for (const [index, line] of all.slice(start, start + ROW_GROUP_ROWS).entries()) {
        fromText.add(line);
        fromBytes.addLine(Buffer.from(line));
        // A group's first value decides its leaf (a later non-ASCII one turns it to strings for good).
        if (index === 0) expect(fromBytes.columnData()).toEqual(fromText.columnData());
      }
      expect(fromBytes.rows).toBe(fromText.rows);
      expect(fromBytes.columnData()).toEqual(fromText.columnData());
      fromText.clear();
      fromBytes.clear();
    }
  });

  for (const codec of ['SNAPPY', 'ZSTD'] as const) {
    it(`writes the same file from the lines' bytes as from their text (${codec})`, async () => {
      const { loadZstdCompressor } = await import('../../src/dataset/zstd-compressor.js');
      const parquetCodec = codec === 'ZSTD' ? { codec, zstd: await loadZstdCompressor() } : { codec };
      const dir = tempDir();
      const fromText = new ParquetFileWriter(join(dir, 'text.parquet'), columns, parquetCodec);
      const fromBytes = new ParquetFileWriter(join(dir, 'bytes.parquet'), columns, parquetCodec);
      for (const line of lines()) {
        const bytes = Buffer.from(line);
        fromText.addJson(line, bytes.length + 1);
        fromBytes.addLine(bytes, bytes.length + 1);
      }
      await fromText.close();
      await fromBytes.close();
      expect(readFileSync(join(dir, 'bytes.parquet')).equals(readFileSync(join(dir, 'text.parquet')))).toBe(true);
    });
  }
});

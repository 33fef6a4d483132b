import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { describe, expect, it } from 'vitest';
import { ColumnTracker } from '../../src/dataset/column-kinds.js';
import type { FileDigest } from '../../src/dataset/file-digest.js';
import { jsonlToParquet } from '../../src/dataset/jsonl-to-parquet.js';
import { ParquetFileWriter, type ParquetCodec } from '../../src/dataset/parquet-file-writer.js';
import { ParquetThread } from '../../src/dataset/parquet-thread.js';
import { readParquetRows } from '../../src/dataset/read-rows.js';
import { loadZstdCompressor } from '../../src/dataset/zstd-compressor.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

/** 10,500 rows, so the file has two row groups (10,000 rows each at most). */
const rows = Array.from({ length: 10_500 }, (_, index) => ({
  id: `s0-${index}`,
  messages: [
    { role: 'user', content: `question ${index} ${'é'.repeat(index % 7)}` },
    { role: 'assistant', content: `answer ${index}` },
  ],
  ...(index % 3 ? { count: index } : {}),
  score: index / 8,
  ok: index % 2 === 0,
  tags: index % 4 ? [`tag${index % 4}`] : [],
  vector: [index / 3, -1.5],
  // Disagreeing types fall back to JSON text in Parquet.
  meta: index % 2 ? { nested: [index] } : 'plain',
}));

async function write(path: string, codec: ParquetCodec): Promise<FileDigest> {
  const writer = new ParquetFileWriter(path, trackerColumns(), codec);
  for (const row of rows) writer.add(row, 100);
  return writer.close();
}

function writeJsonl(path: string): string {
  writeFileSync(path, rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
  return path;
}

describe('ParquetFileWriter', async () => {
  const codecs: [string, ParquetCodec][] = [
    ['ZSTD', { codec: 'ZSTD', zstd: await loadZstdCompressor() }],
    ['SNAPPY', { codec: 'SNAPPY' }],
  ];

  for (const [name, codec] of codecs) {
    it(`round-trips through hyparquet with ${name}, messages as list<struct>`, async () => {
      const path = join(tempDir(), 'rows.parquet');
      await write(path, codec);

      const file = await asyncBufferFromFile(path);
      const metadata = await parquetMetadataAsync(file);
      expect(Number(metadata.num_rows)).toBe(rows.length);
      expect(metadata.row_groups.length).toBe(2);
      expect(metadata.row_groups[0]!.columns[0]!.meta_data!.codec).toBe(name);
      const schema = Object.fromEntries(metadata.schema.map((element) => [element.name, element]));
      expect(schema.messages).toMatchObject({ converted_type: 'LIST', num_children: 1 });
      expect(metadata.schema.filter((element) => element.name === 'role' || element.name === 'content').map((element) => element.type)).toEqual(['BYTE_ARRAY', 'BYTE_ARRAY']);
      const features = JSON.parse(metadata.key_value_metadata!.find((entry) => entry.key === 'huggingface')!.value!);
      // A list of structs as a one-element JSON list: datasets 3.x reads it (it has no `List` type), 4.x+ too.
      expect(features.info.features.messages).toEqual([{ role: { dtype: 'string', _type: 'Value' }, content: { dtype: 'string', _type: 'Value' } }]);

      // Raw hyparquet: messages come back as arrays of objects.
      const sample = await parquetReadObjects({ file, metadata, rowStart: 10_234, rowEnd: 10_235, compressors });
      expect(sample[0]!.messages).toEqual(rows[10_234]!.messages);

      // Our reader: every row exactly as written.
      const readBack: unknown[] = [];
      for await (const row of readParquetRows(path, trackerColumns())) readBack.push(row);
      expect(readBack).toEqual(rows);
    });
  }

  it('writes byte-identical files for the same rows', async () => {
    const dir = tempDir();
    await write(join(dir, 'a.parquet'), codecs[0]![1]);
    await write(join(dir, 'b.parquet'), codecs[0]![1]);
    expect(readFileSync(join(dir, 'a.parquet')).equals(readFileSync(join(dir, 'b.parquet')))).toBe(true);
  });

  for (const [name, codec] of codecs) {
    it(`writes the same bytes (${name}) from the JSON lines, here and on a Parquet thread, and reports their digest`, async () => {
      const dir = tempDir();
      const jsonl = writeJsonl(join(dir, 'rows.jsonl'));
      const expected = await write(join(dir, 'rows.parquet'), codec);
      const thread = new ParquetThread();
      try {
        expect(await jsonlToParquet(jsonl, join(dir, 'here.parquet'), trackerColumns(), codec)).toEqual(expected);
        expect(await thread.convert(jsonl, join(dir, 'thread.parquet'), trackerColumns(), { codec: codec.codec })).toEqual(expected);
      } finally {
        await thread.close();
      }
      const bytes = readFileSync(join(dir, 'rows.parquet'));
      expect(readFileSync(join(dir, 'here.parquet')).equals(bytes)).toBe(true);
      expect(readFileSync(join(dir, 'thread.parquet')).equals(bytes)).toBe(true);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(expected.sha256);
    });
  }

  it('streams a file from its JSON lines as they land, in any pieces: the bytes of converting it whole; a discarded stream leaves no file', async () => {
    const dir = tempDir();
    const jsonl = writeJsonl(join(dir, 'rows.jsonl'));
    const size = readFileSync(jsonl).length;
    const thread = new ParquetThread();
    try {
      const whole = await thread.convert(jsonl, join(dir, 'whole.parquet'), trackerColumns(), { codec: 'ZSTD' });
      const stream = thread.stream(jsonl, join(dir, 'streamed.parquet'), trackerColumns(), { codec: 'ZSTD' });
      // A line's end, then anywhere (mid-line, even inside a character): a cut line waits for its end.
      const firstLineEnd = readFileSync(jsonl).indexOf(10) + 1;
      for (const bytes of [firstLineEnd, 12_345, Math.floor(size / 2) + 1, size - 3]) stream.grow(bytes);
      expect(await stream.end(size)).toEqual(whole);
      expect(readFileSync(join(dir, 'streamed.parquet')).equals(readFileSync(join(dir, 'whole.parquet')))).toBe(true);
      const discarded = thread.stream(jsonl, join(dir, 'discarded.parquet'), trackerColumns(), { codec: 'SNAPPY' });
      discarded.grow(size);
      await discarded.discard();
      expect(existsSync(join(dir, 'discarded.parquet'))).toBe(false);
      const open = thread.stream(jsonl, join(dir, 'open.parquet'), trackerColumns(), { codec: 'SNAPPY' });
      open.grow(firstLineEnd);
      await thread.close();
      await expect(open.end(size)).rejects.toThrow('the Parquet thread was closed');
    } finally {
      await thread.close();
    }
  });

  it('reports a file the thread could not write, with the system error code, and fails what was queued after it', async () => {
    const dir = tempDir();
    const jsonl = writeJsonl(join(dir, 'rows.jsonl'));
    const thread = new ParquetThread();
    try {
      // A folder that does not exist: the thread's first write fails.
      const failing = thread.convert(jsonl, join(dir, 'missing', 'rows.parquet'), trackerColumns(), { codec: 'SNAPPY' });
      const queued = thread.convert(jsonl, join(dir, 'rows.parquet'), trackerColumns(), { codec: 'SNAPPY' });
      await expect(failing).rejects.toMatchObject({ code: 'ENOENT', path: join(dir, 'missing', 'rows.parquet') });
      await expect(queued).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(thread.convert(jsonl, join(dir, 'later.parquet'), trackerColumns(), { codec: 'SNAPPY' })).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await thread.close();
    }
  });
});

function trackerColumns() {
  const tracker = new ColumnTracker();
  for (const row of rows) tracker.observe(row);
  return tracker.columns();
}

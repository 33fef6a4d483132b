import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ColumnTracker } from '../../src/dataset/column-kinds.js';
import { ExportUnsupportedError, WriteWorkerError } from '../../src/dataset/errors.js';
import { jsonlToParquet } from '../../src/dataset/jsonl-to-parquet.js';
import { ParquetEncodePool } from '../../src/dataset/parquet-encode-pool.js';
import type { ParquetCodec } from '../../src/dataset/parquet-file-writer.js';
import { parquetEncoders, ParquetThread, rebuildError, threadErrorOf } from '../../src/dataset/parquet-thread.js';
import { loadZstdCompressor } from '../../src/dataset/zstd-compressor.js';
import { EXIT_CODES, SynthforgeError, UsageError } from '../../src/errors.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { expectWriteThreadCrashed } from '../helpers/thread-crash.js';

const tempDir = useTempDirs();

/**
 * 23,000 rows: three row groups of 10,000 rows at most. Nested columns (a list of structs, a string
 * list, JSON text), nulls, repeated values (dictionaries), non-ASCII text, and a text column of over
 * 1 MiB per group, so its chunks have several pages and an offset index.
 */
const rows = Array.from({ length: 23_000 }, (_, index) => ({
  id: `s0-${index}`,
  messages: [
    { role: 'user', content: `question ${index} ${'é'.repeat(index % 5)}` },
    { role: 'assistant', content: `answer ${index} `.repeat(12) },
  ],
  ...(index % 3 ? { count: index } : {}),
  label: ['yes', 'no', null][index % 3],
  tags: index % 4 ? [`tag${index % 4}`] : [],
  meta: index % 2 ? { nested: [index] } : 'plain',
}));

function writeJsonl(path: string, lines: string[] = rows.map((row) => JSON.stringify(row))): string {
  writeFileSync(path, lines.map((line) => `${line}\n`).join(''));
  return path;
}

function columnsOf() {
  const tracker = new ColumnTracker();
  for (const row of rows) tracker.observe(row);
  return tracker.columns();
}

describe('the Parquet thread with encode threads', async () => {
  const codecs: ParquetCodec[] = [{ codec: 'ZSTD', zstd: await loadZstdCompressor() }, { codec: 'SNAPPY' }];

  for (const codec of codecs) {
    it(`writes the bytes one thread writes, with 1, 2 and 3 encode threads (${codec.codec}), converted or streamed`, async () => {
      const dir = tempDir();
      const jsonl = writeJsonl(join(dir, 'rows.jsonl'));
      const size = readFileSync(jsonl).length;
      const reference = join(dir, 'reference.parquet');
      const expected = await jsonlToParquet(jsonl, reference, columnsOf(), codec);
      const bytes = readFileSync(reference);
      const metadata = await parquetMetadataAsync(await asyncBufferFromFile(reference));
      // What the offsets moved on append cover: later groups, dictionary pages, page locations.
      expect(metadata.row_groups.length).toBe(3);
      expect(metadata.row_groups[2]!.columns.some((chunk) => chunk.meta_data?.dictionary_page_offset !== undefined)).toBe(true);
      expect(metadata.row_groups[1]!.columns.some((chunk) => chunk.offset_index_length !== undefined)).toBe(true);

      for (const encoders of [1, 2, 3]) {
        const thread = new ParquetThread(encoders);
        try {
          expect(await thread.convert(jsonl, join(dir, `converted-${encoders}.parquet`), columnsOf(), { codec: codec.codec })).toEqual(expected);
          const stream = thread.stream(jsonl, join(dir, `streamed-${encoders}.parquet`), columnsOf(), { codec: codec.codec });
          for (const grown of [4_321, Math.floor(size / 3), Math.floor(size / 2) + 7]) stream.grow(grown);
          expect(await stream.end(size)).toEqual(expected);
        } finally {
          await thread.close();
        }
        expect(readFileSync(join(dir, `converted-${encoders}.parquet`)).equals(bytes)).toBe(true);
        expect(readFileSync(join(dir, `streamed-${encoders}.parquet`)).equals(bytes)).toBe(true);
      }
    });
  }

  it('rejects a row an encode thread cannot parse with the error one thread gives', async () => {
    const dir = tempDir();
    const lines = rows.map((row) => JSON.stringify(row));
    lines[15_000] = '{"id": "s0-15000", oops}';
    const jsonl = writeJsonl(join(dir, 'rows.jsonl'), lines);
    const size = readFileSync(jsonl).length;
    const errors: unknown[] = [];
    for (const encoders of [1, 2, 3]) {
      const thread = new ParquetThread(encoders);
      try {
        errors.push(await thread.convert(jsonl, join(dir, `converted-${encoders}.parquet`), columnsOf(), { codec: 'SNAPPY' }).catch((error: unknown) => error));
      } finally {
        await thread.close();
      }
      const streaming = new ParquetThread(encoders);
      try {
        const stream = streaming.stream(jsonl, join(dir, `streamed-${encoders}.parquet`), columnsOf(), { codec: 'SNAPPY' });
        stream.grow(size);
        errors.push(await stream.end(size).catch((error: unknown) => error));
      } finally {
        await streaming.close();
      }
    }
    expect(errors[0]).toBeInstanceOf(Error);
    expect((errors[0] as Error).message).toMatch(/JSON/);
    for (const error of errors) expect((error as Error).message).toBe((errors[0] as Error).message);
  });

  it('removes a discarded stream whose groups were being encoded', async () => {
    const dir = tempDir();
    const jsonl = writeJsonl(join(dir, 'rows.jsonl'));
    const thread = new ParquetThread(2);
    try {
      const stream = thread.stream(jsonl, join(dir, 'discarded.parquet'), columnsOf(), { codec: 'ZSTD' });
      stream.grow(readFileSync(jsonl).length);
      await stream.discard();
      expect(existsSync(join(dir, 'discarded.parquet'))).toBe(false);
    } finally {
      await thread.close();
    }
  });
});

describe('ParquetEncodePool', () => {
  it('fails what a thread that exits owed, and every later slot and group: nothing waits forever', async () => {
    const exiting = () => new Worker("require('node:worker_threads').parentPort.on('message', () => process.exit(3))", { eval: true });
    const pool = new ParquetEncodePool(2, exiting);
    try {
      for (let slot = 0; slot < 4; slot++) await pool.acquire();
      // The pool's four slots are taken: this one waits, and is failed with the rest.
      const waiting = pool.acquire();
      const encoded = pool.encode(new TextEncoder().encode('{}'), columnsOf(), { codec: 'SNAPPY' });
      await expect(encoded).rejects.toThrow('a Parquet encode thread exited (3)');
      await expect(encoded).rejects.toBeInstanceOf(WriteWorkerError);
      await expect(encoded).rejects.toMatchObject({ code: 'write_worker' });
      await expect(waiting).rejects.toThrow('a Parquet encode thread exited (3)');
      await expect(pool.acquire()).rejects.toThrow('a Parquet encode thread exited (3)');
      await expect(pool.encode(new TextEncoder().encode('{}'), columnsOf(), { codec: 'SNAPPY' })).rejects.toThrow('exited');
    } finally {
      await pool.close();
    }
  });

  it('fails what a thread that crashes owed with a coded error whose cause is what it threw', async () => {
    const crashing = () => new Worker("require('node:worker_threads').parentPort.on('message', () => { throw new RangeError('encoder broke') })", { eval: true });
    const pool = new ParquetEncodePool(2, crashing);
    try {
      const error = await pool.encode(new TextEncoder().encode('{}'), columnsOf(), { codec: 'SNAPPY' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WriteWorkerError);
      expect(error).toMatchObject({ code: 'write_worker', message: 'a Parquet encode thread crashed: encoder broke', cause: { name: 'RangeError', message: 'encoder broke' } });
      await expect(pool.acquire()).rejects.toBe(error);
    } finally {
      await pool.close();
    }
  });

  it('fails a slot waited for once closed with a coded error', async () => {
    const pool = new ParquetEncodePool(1);
    for (let slot = 0; slot < 2; slot++) await pool.acquire();
    const waiting = pool.acquire();
    await pool.close();
    await expect(waiting).rejects.toBeInstanceOf(WriteWorkerError);
    await expect(waiting).rejects.toMatchObject({ code: 'write_worker', message: 'the Parquet encode threads were closed' });
  });

  it('rejects a group with the error its thread reports (a system error keeps its code and path), and goes on', async () => {
    const reporting = () =>
      new Worker(
        "const { parentPort } = require('node:worker_threads'); parentPort.on('message', ({ id }) => parentPort.postMessage({ id, error: { message: 'ENOSPC: no space left on device', code: 'ENOSPC', path: '/full/x' } }))",
        { eval: true },
      );
    const pool = new ParquetEncodePool(2, reporting);
    try {
      const error = await pool.encode(new TextEncoder().encode('{}'), columnsOf(), { codec: 'SNAPPY' }).catch((caught: unknown) => caught);
      expect(error).not.toBeInstanceOf(WriteWorkerError);
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ message: 'ENOSPC: no space left on device', code: 'ENOSPC', path: '/full/x' });
      await expect(pool.acquire()).resolves.toBeUndefined();
    } finally {
      await pool.close();
    }
  });
});

describe('the Parquet thread: a thread that dies', () => {
  /** The thread's worker, reached through the object (a test's way to make it die). */
  const workerOf = (thread: ParquetThread): Worker => (thread as unknown as { worker: Worker }).worker;

  it('that exits fails the file owed and every request after with a coded error', async () => {
    const dir = tempDir();
    const jsonl = writeJsonl(join(dir, 'rows.jsonl'));
    const thread = new ParquetThread(1);
    try {
      // A stream is answered only once ended: owed until then.
      const stream = thread.stream(jsonl, join(dir, 'rows.parquet'), columnsOf(), { codec: 'SNAPPY' });
      const code = await workerOf(thread).terminate();
      const error = await stream.end(readFileSync(jsonl).length).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WriteWorkerError);
      expect(error).toMatchObject({ code: 'write_worker', message: `the Parquet thread exited (${code})` });
      await expect(thread.convert(jsonl, join(dir, 'later.parquet'), columnsOf(), { codec: 'SNAPPY' })).rejects.toBe(error);
    } finally {
      await thread.close();
    }
  });

  it('that crashes fails the file owed with a coded error whose cause is what it threw', async () => {
    const dir = tempDir();
    const jsonl = writeJsonl(join(dir, 'rows.jsonl'));
    const thread = new ParquetThread(1);
    try {
      const stream = thread.stream(jsonl, join(dir, 'rows.parquet'), columnsOf(), { codec: 'SNAPPY' });
      // Not a request: the thread throws reading it, and again reporting it, outside anything it answers.
      workerOf(thread).postMessage(null);
      const error = await stream.end(readFileSync(jsonl).length).catch((caught: unknown) => caught);
      expectWriteThreadCrashed(error, 'the Parquet thread');
    } finally {
      await thread.close();
    }
  });

  it('closed with a file owed fails it with a coded error', async () => {
    const dir = tempDir();
    const jsonl = writeJsonl(join(dir, 'rows.jsonl'));
    const thread = new ParquetThread(1);
    const stream = thread.stream(jsonl, join(dir, 'rows.parquet'), columnsOf(), { codec: 'SNAPPY' });
    await thread.close();
    const error = await stream.end(readFileSync(jsonl).length).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WriteWorkerError);
    expect(error).toMatchObject({ code: 'write_worker', message: 'the Parquet thread was closed' });
  });

  it('an encode thread’s failure reported across the Parquet thread is a coded error again; what a thread reports about its file is not', () => {
    const encoder = rebuildError(threadErrorOf(new WriteWorkerError('a Parquet encode thread exited (1)')));
    expect(encoder).toBeInstanceOf(WriteWorkerError);
    expect(encoder).toMatchObject({ code: 'write_worker', message: 'a Parquet encode thread exited (1)' });
    const full = rebuildError(threadErrorOf(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/full/x', syscall: 'write' })));
    expect(full).not.toBeInstanceOf(WriteWorkerError);
    expect(full).toMatchObject({ message: 'ENOSPC: no space left on device, write', code: 'ENOSPC', path: '/full/x', syscall: 'write' });
    const line = rebuildError(threadErrorOf(new SyntaxError('Unexpected token o in JSON')));
    expect(line.constructor).toBe(Error);
    expect(line.message).toBe('Unexpected token o in JSON');
  });

  it('a SynthforgeError thrown in a thread arrives as one, with its code, exit code, name and plain details', () => {
    const thrown = new ExportUnsupportedError('sft rows have no rejected answer', { from: 'sft', to: 'dpo' });
    // Through a real structured clone, as postMessage sends it.
    const rebuilt = rebuildError(structuredClone(threadErrorOf(thrown)));
    expect(SynthforgeError.isInstance(rebuilt)).toBe(true);
    expect(rebuilt).toMatchObject({ name: thrown.name, code: thrown.code, exitCode: thrown.exitCode, message: thrown.message, details: thrown.details });
    const usage = rebuildError(structuredClone(threadErrorOf(new UsageError('bad_flag', 'no such flag', { details: { flag: '--x', at: () => 1 } }))));
    expect(usage).toMatchObject({ code: 'bad_flag', exitCode: EXIT_CODES.usage, details: {} });
  });
});

describe('parquetEncoders', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('is SYNTHFORGE_PARQUET_ENCODERS when set (0: no Parquet thread), else one per core but the main thread\'s, up to 8, none on one core', () => {
    vi.stubEnv('SYNTHFORGE_PARQUET_ENCODERS', '3');
    expect(parquetEncoders()).toBe(3);
    vi.stubEnv('SYNTHFORGE_PARQUET_ENCODERS', '0');
    expect(parquetEncoders()).toBe(0);
    const cores = availableParallelism();
    for (const unset of ['', 'many', '-1', '1.5']) {
      vi.stubEnv('SYNTHFORGE_PARQUET_ENCODERS', unset);
      expect(parquetEncoders()).toBe(cores <= 1 ? 0 : Math.min(cores - 1, 8));
    }
  });
});

/**
 * Pass 1 on write threads (SYNTHFORGE_WRITE_THREADS, row-pool.ts): the stage's lines mapped to rows
 * by 0 to 3 threads give the version written from the records on this thread, byte for byte.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DataRecord } from '../../src/domain.js';
import { SynthforgeError } from '../../src/errors.js';
import { DEFAULT_CAPABILITIES } from '../../src/api/providers.js';
import { compileRecipe } from '../../src/engine/compile-recipe.js';
import { loadRecipeObject } from '../../src/recipe/load-recipe.js';
import { ColumnTracker } from '../../src/dataset/column-kinds.js';
import { DATASET_FORMATS } from '../../src/dataset/formats/dataset-formats.js';
import type { OutputSpecInput } from '../../src/dataset/output-spec.js';
import { compileOutputTemplates } from '../../src/dataset/output-templates.js';
import { RowBatcher } from '../../src/dataset/row-batch.js';
import { RowPool } from '../../src/dataset/row-pool.js';
import { DigestThread } from '../../src/dataset/digest-thread.js';
import { WriteWorkerError } from '../../src/dataset/errors.js';
import { lineBatches } from '../../src/dataset/line-chunks.js';
import { writeDatasetVersion, type VersionInfo } from '../../src/dataset/write-version.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { CHAT, MANIFEST, qaRecords, record, spec, stream } from './fixtures.js';
import { expectWriteThreadCrashed } from '../helpers/thread-crash.js';

const tempDir = useTempDirs();
const THREADS = 'SYNTHFORGE_WRITE_THREADS';
const saved = process.env[THREADS];

afterEach(() => {
  if (saved === undefined) delete process.env[THREADS];
  else process.env[THREADS] = saved;
  vi.restoreAllMocks();
});

/** The records as a stage file holds them, in chunks of a few whole lines (the last line without its newline). */
function linesOf(records: readonly unknown[], linesPerChunk = 7): Uint8Array[] {
  const lines = records.map((item) => `${typeof item === 'string' ? item : JSON.stringify(item)}\n`);
  const text = lines.join('').replace(/\n$/, '');
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (let index = linesPerChunk; start < text.length; index += linesPerChunk) {
    const end = index >= lines.length ? text.length : lines.slice(0, index).join('').length;
    chunks.push(Buffer.from(text.slice(start, end)));
    start = end;
  }
  return chunks;
}

async function write(
  root: string,
  output: OutputSpecInput,
  input: { records?: DataRecord[]; lines?: readonly unknown[]; threads?: number; vectorColumns?: string[]; owned?: boolean },
): Promise<VersionInfo> {
  if (input.threads === undefined) delete process.env[THREADS];
  else process.env[THREADS] = String(input.threads);
  const parsed = spec(output);
  // Owned: each chunk a buffer of its own, as a stage tap hands them (Buffer.from of a short text is a view of Node's shared pool).
  const lines = input.lines ? linesOf(input.lines).map((chunk) => (input.owned ? new Uint8Array(chunk) : chunk)) : [];
  return writeDatasetVersion({
    outputsRoot: root,
    dataset: 'support-qa',
    ...(input.records ? { records: stream(input.records) } : { recordLines: stream(lines), ...(input.owned ? { recordLinesOwned: true } : {}) }),
    output: parsed,
    templates: compileOutputTemplates(parsed)!,
    manifest: MANIFEST,
    ...(input.vectorColumns ? { vectorColumns: input.vectorColumns } : {}),
  });
}

/** Every file of a version, the manifest without its written_at. */
function versionFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const name = relative(dir, path);
    const bytes = readFileSync(path);
    files.set(name, name === 'manifest.json' ? JSON.stringify({ ...JSON.parse(bytes.toString('utf8')), written_at: undefined }) : bytes.toString('base64'));
  }
  return files;
}

/** Raw records of every shape pass 1 meets: keys in another order, escapes, lone surrogates, vectors, values that change kind. */
function mixedRecords(count: number): DataRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const base = qaRecords(1, { start: index })[0]!;
    const fields: Record<string, unknown> = index % 4 === 1 ? Object.fromEntries(Object.entries(base.fields).reverse()) : { ...base.fields };
    if (index % 5 === 0) fields.note = `tab\there "quoted" \\ back \u0001 \ud800 lone, \udc00 too, pair \ud83d\ude00 ${'x'.repeat(index % 300)}`;
    if (index % 7 === 0) fields.score = index; // int64 joins double
    if (index === 900) fields.late = { nested: { b: 1, a: [1, 'two'] } }; // a column first seen late
    if (index % 11 === 0) fields.turns = [{ role: 'user', content: `q${index}` }, ...(index > 500 ? [{ role: 'assistant', content: 'a', name: null }] : [])];
    if (index % 13 === 0) fields.tags = [];
    if (index % 17 === 0) fields.embedding = null;
    return { ...base, fields, ...(index % 3 === 0 ? { source: `seeds/s.jsonl:${index + 1}` } : {}) };
  });
}

describe('write threads: the same version from the lines with 0 to 3 threads', () => {
  it('raw rows of every shape, stratified, JSONL and Parquet, vectors: byte-identical to the records written on this thread', async () => {
    const records = mixedRecords(1500);
    const output: OutputSpecInput = { format: 'raw', splits: { train: 0.7, test: 0.2, eval: 0.1 }, stratify_by: 'topic', files: ['jsonl', 'parquet'], max_rows_per_file: 400 };
    const reference = versionFiles((await write(tempDir(), output, { records, vectorColumns: ['embedding'] })).dir);
    expect(reference.size).toBeGreaterThan(5);
    for (const threads of [0, 1, 2, 3]) {
      const info = await write(tempDir(), output, { lines: records, threads, vectorColumns: ['embedding'] });
      expect(versionFiles(info.dir), `${threads} threads`).toEqual(reference);
    }
  });

  it('chat rows from templates, some unmapped, split by hash into shards: byte-identical, unmapped.jsonl included', async () => {
    const records = [...qaRecords(1200), record(5000, { question: 'no answer here?' })];
    records.splice(400, 0, { ...record(5001, { question: 'neither' }), source: 'seeds/s.jsonl:9' });
    const output: OutputSpecInput = { ...CHAT, splits: { train: 0.8, test: 0.2 }, max_file_mb: 0.05, files: ['jsonl', 'parquet'] };
    const referenceInfo = await write(tempDir(), output, { records });
    expect(referenceInfo.unmapped).toBe(2);
    const reference = versionFiles(referenceInfo.dir);
    expect(reference.get('unmapped.jsonl')).toBeDefined();
    expect(Buffer.from(reference.get('unmapped.jsonl')!, 'base64').toString()).toContain('output.messages[2].content');
    for (const threads of [0, 1, 2, 3]) {
      expect(versionFiles((await write(tempDir(), output, { lines: records, threads })).dir), `${threads} threads`).toEqual(reference);
    }
  });

  it('chunks of their own (recordLinesOwned) handed to the threads as they are: byte-identical, digests made on the digest thread', async () => {
    const records = [...qaRecords(1200), record(5000, { question: 'no answer here?' })];
    const output: OutputSpecInput = { ...CHAT, splits: { train: 0.8, test: 0.2 }, max_file_mb: 0.05, files: ['jsonl', 'parquet'] };
    const reference = versionFiles((await write(tempDir(), output, { records })).dir);
    const opened = vi.spyOn(DigestThread.prototype, 'open');
    for (const threads of [0, 2]) {
      expect(versionFiles((await write(tempDir(), output, { lines: records, threads, owned: true })).dir), `${threads} threads`).toEqual(reference);
    }
    // lineage.jsonl and every JSONL shard, only where threads map the rows.
    expect(opened.mock.calls.length).toBeGreaterThan(2);
  });

  it('every format: byte-identical with 2 threads', async () => {
    const records = qaRecords(600);
    const outputs: OutputSpecInput[] = [
      { format: 'alpaca', fields: { instruction: '{{ question }}', output: '{{ answer }}' } },
      { format: 'prompt-completion', fields: { prompt: '{{ question }}', completion: '{{ answer }}' } },
      { format: 'preference', fields: { prompt: '{{ question }}', chosen: '{{ answer }}', rejected: '{{ rejected }}' } },
      { format: 'sharegpt', messages: CHAT.messages! },
      { format: 'openai-chat', messages: CHAT.messages!, files: ['parquet'] },
    ];
    for (const output of outputs) {
      const reference = versionFiles((await write(tempDir(), output, { records })).dir);
      expect(versionFiles((await write(tempDir(), output, { lines: records, threads: 2 })).dir), output.format).toEqual(reference);
    }
  });
});

describe('write threads: failures', () => {
  for (const [what, bad, expected] of [
    ['a line that is not JSON', '{"id": broken', SyntaxError],
    ['a record that throws (null)', 'null', TypeError],
  ] as const) {
    it(`${what} fails the write with the error of this thread, leaves no version, and closes the threads`, async () => {
      const lines = [...qaRecords(900), bad, ...qaRecords(900, { start: 900 })];
      const alone = await write(tempDir(), CHAT, { lines, threads: 0 }).catch((error: unknown) => error);
      expect(alone).toBeInstanceOf(expected);
      const close = vi.spyOn(RowPool.prototype, 'close');
      const closeDigests = vi.spyOn(DigestThread.prototype, 'close');
      const root = tempDir();
      const pooled = await write(root, CHAT, { lines, threads: 2 }).catch((error: unknown) => error);
      expect(pooled).toBeInstanceOf(expected);
      expect((pooled as Error).message).toBe((alone as Error).message);
      expect(close).toHaveBeenCalledTimes(1);
      expect(closeDigests).toHaveBeenCalledTimes(1);
      // The staging folder went with the failure: nothing under the dataset's folder.
      const datasetDir = join(root, 'support-qa');
      expect(existsSync(datasetDir) ? readdirSync(datasetDir) : []).toEqual([]);
    });
  }

  it('a digest thread that dies fails the write, leaves no version, and closes every thread', async () => {
    const original = DigestThread.prototype.open;
    vi.spyOn(DigestThread.prototype, 'open').mockImplementation(function (this: DigestThread) {
      const digester = original.call(this);
      void (this as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
      return digester;
    });
    const close = vi.spyOn(RowPool.prototype, 'close');
    const closeDigests = vi.spyOn(DigestThread.prototype, 'close');
    const root = tempDir();
    const error = await write(root, CHAT, { lines: qaRecords(900), threads: 1 }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(WriteWorkerError);
    expect(error).toMatchObject({ code: 'write_worker', message: expect.stringMatching(/digest thread/) });
    expect(close).toHaveBeenCalledTimes(1);
    expect(closeDigests).toHaveBeenCalledTimes(1);
    const datasetDir = join(root, 'support-qa');
    expect(existsSync(datasetDir) ? readdirSync(datasetDir) : []).toEqual([]);
  });

  it('refuses a SYNTHFORGE_WRITE_THREADS that is not a whole number', async () => {
    process.env[THREADS] = 'many';
    const parsed = spec(CHAT);
    const error = await writeDatasetVersion({
      outputsRoot: tempDir(),
      dataset: 'support-qa',
      recordLines: stream(linesOf(qaRecords(3))),
      output: parsed,
      templates: compileOutputTemplates(parsed)!,
      manifest: MANIFEST,
    }).catch((caught: unknown) => caught);
    expect(SynthforgeError.isInstance(error) && error.code).toBe('invalid_thread_count');
    expect((error as Error).message).toMatch(/SYNTHFORGE_WRITE_THREADS=many: expected a whole number/);
  });
});

describe('RowPool: a write thread that dies', () => {
  /** A pool of one thread, and that thread (reached through the pool: a test's way to make it die). */
  function onePool(): { pool: RowPool; worker: Worker } {
    const pool = new RowPool(1, { output: spec(CHAT) });
    return { pool, worker: (pool as unknown as { pool: { members: { worker: Worker }[] } }).pool.members[0]!.worker };
  }
  const batch = (): Uint8Array<ArrayBuffer> => new TextEncoder().encode(qaRecords(3).map((item) => JSON.stringify(item)).join('\n'));

  it('that exits fails the batch owed and every batch after with a coded error', async () => {
    const { pool, worker } = onePool();
    try {
      const owed = pool.map(batch()).catch((caught: unknown) => caught);
      const code = await worker.terminate();
      const error = await owed;
      expect(error).toBeInstanceOf(WriteWorkerError);
      expect(error).toMatchObject({ code: 'write_worker', message: `a write thread exited (${code})` });
      await expect(pool.map(batch())).rejects.toBe(error);
    } finally {
      await pool.close();
    }
  });

  it('that crashes fails the batch owed with a coded error whose cause is what it threw', async () => {
    const { pool, worker } = onePool();
    try {
      // Not a request: the thread throws reading it, outside any batch it answers.
      worker.postMessage(null);
      const error = await pool.map(batch()).catch((caught: unknown) => caught);
      expectWriteThreadCrashed(error, 'a write thread');
    } finally {
      await pool.close();
    }
  });

  it('closed with a batch owed fails it with a coded error', async () => {
    const { pool } = onePool();
    const owed = pool.map(batch()).catch((caught: unknown) => caught);
    await pool.close();
    const error = await owed;
    expect(error).toBeInstanceOf(WriteWorkerError);
    expect(error).toMatchObject({ code: 'write_worker', message: 'the write threads were closed with batches owed' });
  });

  it('a batch whose records it cannot map is handed back, not failed: the writing thread maps it and throws its own error', async () => {
    const { pool } = onePool();
    try {
      const answer = await pool.map(new TextEncoder().encode('{"id": broken'));
      expect(answer).toEqual({ lines: new TextEncoder().encode('{"id": broken') });
    } finally {
      await pool.close();
    }
  });
});

describe('write threads: the parts', () => {
  it('keeps a function template (a TS recipe) on this thread: no sources to compile elsewhere', () => {
    expect(compileOutputTemplates({ messages: [{ role: 'user', content: (fields) => String(fields.question) }] })).toBeUndefined();
    expect(compileOutputTemplates({ fields: { prompt: '{{ question }}' } })?.fields?.prompt?.render({ question: 'q?' })).toBe('q?');
  });

  it('rebuilds the templates the engine compiles: the same text, the same failure (naming the same place)', async () => {
    const recipe = {
      name: 'threads-test',
      seeds: [{ product: { topic: ['tea', 'coffee'] } }],
      steps: [{ generate: 'answer', model: 'openai/gpt-4o-mini', prompt: 'About {{ topic }}', schema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] } }],
      output: { format: 'alpaca', fields: { instruction: 'Tell me about {{ topic }}', output: '{{ answer | upper }}' } },
    };
    const compiled = await compileRecipe(loadRecipeObject(recipe, tempDir()), DEFAULT_CAPABILITIES);
    const rebuilt = compileOutputTemplates(compiled.recipe.output)!;
    const outcome = (template: { render(fields: Record<string, unknown>): string } | undefined, fields: Record<string, unknown>): string => {
      try {
        return template!.render(fields);
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
    };
    for (const name of ['instruction', 'output']) {
      for (const fields of [{ topic: 'tea', answer: 'green' }, { topic: 'tea' }]) {
        expect(outcome(rebuilt.fields?.[name], fields)).toBe(outcome(compiled.outputTemplates.fields?.[name], fields));
      }
    }
    expect(outcome(rebuilt.fields?.output, { topic: 'tea' })).toContain('output.fields.output');
  });

  it("merges only the kinds a batch had not seen, and the tracker's columns and changes are those of observing every row", () => {
    const rows: Record<string, unknown>[] = [
      { id: 'a', n: 1, list: [], s: null },
      { id: 'b', n: 2.5, list: ['x'], s: 'text' },
      { id: 'c', turns: [{ role: 'user' }], n: 3, s: 'more' },
      { id: 'd', turns: [{ role: 'user', content: 'c' }], list: ['y'], vec: [1, 2] },
      { id: 'e', s: 4, vec: [0.5] },
      { id: 'f', turns: [{ content: 'c' }], extra: true },
      { id: 'g', n: 7, s: 's', list: [] },
    ];
    // The raw format writes the id: a column like the others.
    const reference = new ColumnTracker(DATASET_FORMATS.raw.columns, { vectorColumns: ['vec'] });
    const changes = rows.map((row) => reference.observe(row));
    const records: DataRecord[] = rows.map(({ id, ...fields }) => ({ id: id as string, seedId: id as string, fields, lineage: [] }));
    const batcher = new RowBatcher({ output: spec({ format: 'raw' }), templates: {}, vectorColumns: ['vec'] });
    for (const size of [1, 2, 3, 7]) {
      const merged = new ColumnTracker(DATASET_FORMATS.raw.columns, { vectorColumns: ['vec'] });
      const merges: boolean[] = [];
      for (let start = 0; start < records.length; start += size) {
        const batch = batcher.map(records.slice(start, start + size));
        for (let row = 0; row < batch.records; row++) {
          const observation = batch.observed.find(([index]) => index === row);
          merges.push(observation ? merged.observeKinds(observation[1]) : false);
        }
      }
      expect(merges, `batches of ${size}`).toEqual(changes);
      expect(merged.columns()).toEqual(reference.columns());
    }
  });

  it('regroups chunks of whole lines into batches cut at line ends, every byte once', async () => {
    const text = Array.from({ length: 200 }, (_, index) => `${'y'.repeat(index % 37)}${index}\n`).join('');
    const chunks = [text.slice(0, 5), text.slice(5, 1200), text.slice(1200, 1201), text.slice(1201)].map((part) => Buffer.from(part));
    const batches: Uint8Array[] = [];
    for await (const batch of lineBatches(stream(chunks), 300)) batches.push(batch);
    expect(Buffer.concat(batches).toString()).toBe(text);
    for (const batch of batches) expect(batch[batch.length - 1]).toBe(10);
    expect(batches.length).toBeGreaterThan(5);
    expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThan(600);
  });
});

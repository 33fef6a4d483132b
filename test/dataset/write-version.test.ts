import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DataRecord } from '../../src/domain.js';
import { SynthforgeError } from '../../src/errors.js';
import { DATASET_FORMATS } from '../../src/dataset/formats/dataset-formats.js';
import { listVersions } from '../../src/dataset/list-versions.js';
import type { DatasetManifest } from '../../src/dataset/manifest.js';
import { contentHashOf, type VersionInfo } from '../../src/dataset/write-version.js';
import { jsonlToParquet } from '../../src/dataset/jsonl-to-parquet.js';
import { ParquetThread } from '../../src/dataset/parquet-thread.js';
import type { OutputSpecInput } from '../../src/dataset/output-spec.js';
import { loadZstdCompressor } from '../../src/dataset/zstd-compressor.js';
import { readParquetRows } from '../../src/dataset/read-rows.js';
import { sampleContentHash } from '../../src/dataset/sample-hash.js';
import { readJsonlFile } from '../helpers/read-jsonl-file.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { CHAT, qaRecords, record, writeVersion } from './fixtures.js';

const tempDir = useTempDirs();

const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as DatasetManifest;
const sha256 = async (path: string) => (await import('node:crypto')).createHash('sha256').update(readFileSync(path)).digest('hex');

/** Every file of a directory tree with its bytes and mtime, to prove nothing was touched. */
function snapshot(dir: string): Map<string, { bytes: string; mtime: number }> {
  const files = new Map<string, { bytes: string; mtime: number }>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path, { bytes: readFileSync(path).toString('base64'), mtime: statSync(path).mtimeMs });
  }
  return files;
}

const SHARDED = { ...CHAT, splits: { train: 0.8, test: 0.2 }, files: ['jsonl', 'parquet'] as ('jsonl' | 'parquet')[], max_rows_per_file: 40 };

describe('writeDatasetVersion: files', () => {
  it('writes HF-named shards per split, a manifest that lists them, and lineage per sample', async () => {
    const root = tempDir();
    const info = await writeVersion(root, qaRecords(200), SHARDED);
    expect(info).toMatchObject({ version: 'v1', number: 1, rows: 200, reusedExisting: false, unmapped: 0 });
    expect(info.splits.train! + info.splits.test!).toBe(200);

    const trainShards = Math.ceil(info.splits.train! / 40);
    const names = readdirSync(join(info.dir, 'data')).sort();
    expect(names).toEqual(
      [
        ...Array.from({ length: trainShards }, (_, index) => `train-0000${index}-of-0000${trainShards}`),
        'test-00000-of-00001',
      ]
        .flatMap((stem) => [`${stem}.jsonl`, `${stem}.parquet`])
        .sort(),
    );

    const manifest = manifestOf(info.dir);
    expect(manifest).toMatchObject({ dataset: 'support-qa', version: 'v1', parent_version: null, format: 'openai-chat', rows: 200, unmapped: 0 });
    expect(manifest.recipe).toEqual({ name: 'support-qa', path: '/recipes/support-qa.yaml', kind: 'yaml', sha256: 'ab'.repeat(32) });
    expect(manifest.files).toHaveLength(names.length);
    for (const file of manifest.files) {
      expect(await sha256(join(info.dir, file.path))).toBe(file.sha256);
      expect(statSync(join(info.dir, file.path)).size).toBe(file.bytes);
    }
    expect(manifest.content_hash).toBe(contentHashOf(manifest.files));

    const jsonlRows = manifest.files.filter((file) => file.format === 'jsonl').flatMap((file) => readJsonlFile(join(info.dir, file.path)));
    expect(jsonlRows).toHaveLength(200);
    // Exactly what OpenAI fine-tuning documents: the messages, no id (the id is in lineage.jsonl).
    for (const row of jsonlRows) expect(Object.keys(row)).toEqual(['messages']);
    for (const row of jsonlRows) expect(DATASET_FORMATS['openai-chat'].rowSchema.safeParse({ id: 'x', ...row }).success).toBe(true);

    const lineage = readJsonlFile(join(info.dir, 'lineage.jsonl'));
    expect(lineage).toHaveLength(200);
    expect(lineage[0]).toMatchObject({ id: 's0-000000', seed_id: 's0-000000', steps: [{ step: 'answer', requestKey: 'key-s0-000000', batchId: 'batch_1', model: 'gpt-4o-mini' }] });
    expect(lineage[0]!.content_hash).toMatch(/^[0-9a-f]{32}$/);
    // The n-th row of a split is the n-th lineage entry of that split.
    for (const split of ['train', 'test']) {
      const rows = manifest.files.filter((file) => file.format === 'jsonl' && file.split === split).flatMap((file) => readJsonlFile(join(info.dir, file.path)));
      expect(rows.map((row) => sampleContentHash(row))).toEqual(lineage.filter((entry) => entry.split === split).map((entry) => entry.content_hash));
    }
    expect(existsSync(join(info.dir, 'unmapped.jsonl'))).toBe(false);
  });

  it('shards by size on the JSON lines, a JSONL shard and its Parquet twin holding the same rows', async () => {
    const root = tempDir();
    const info = await writeVersion(root, qaRecords(60), { ...CHAT, files: ['jsonl', 'parquet'], max_file_mb: 2048 / (1024 * 1024) });
    const jsonl = info.files.filter((file) => file.format === 'jsonl');
    const parquet = info.files.filter((file) => file.format === 'parquet');
    expect(jsonl.length).toBeGreaterThan(3);
    expect(jsonl.map((file) => file.rows)).toEqual(parquet.map((file) => file.rows));
    for (const file of jsonl) expect(file.bytes).toBeLessThanOrEqual(2048);
    expect(jsonl[0]!.path).toBe(`data/train-00000-of-${String(jsonl.length).padStart(5, '0')}.jsonl`);
    expect(jsonl.reduce((sum, file) => sum + file.rows, 0)).toBe(60);
  });

  it('keeps an id in its split when the dataset grows', async () => {
    const root = tempDir();
    const first = await writeVersion(root, qaRecords(100), SHARDED);
    const second = await writeVersion(root, qaRecords(250), SHARDED);
    const splitOf = (dir: string) => new Map(readJsonlFile(join(dir, 'lineage.jsonl')).map((entry) => [entry.id, entry.split]));
    const before = splitOf(first.dir);
    const after = splitOf(second.dir);
    expect(before.size).toBe(100);
    for (const [id, split] of before) expect(after.get(id)).toBe(split);
  });

  it('stratifies splits by a record field', async () => {
    const root = tempDir();
    const info = await writeVersion(root, qaRecords(300), { ...CHAT, splits: { train: 0.9, test: 0.1 }, stratify_by: 'topic' });
    const lineage = readJsonlFile(join(info.dir, 'lineage.jsonl'));
    const topicOf = new Map(qaRecords(300).map((item) => [item.id, item.fields.topic]));
    for (const topic of ['wifi', 'billing', 'hardware']) {
      const inTopic = lineage.filter((entry) => topicOf.get(entry.id as string) === topic);
      expect(inTopic.filter((entry) => entry.split === 'test')).toHaveLength(10);
    }
    expect(manifestOf(info.dir).split_spec).toMatchObject({ stratify_by: 'topic', fractions: { train: 0.9, test: 0.1 } });
  });

  it('reports records the format cannot take in unmapped.jsonl and the manifest, and writes the rest', async () => {
    const root = tempDir();
    const records = [...qaRecords(5), record(99, { question: 'no answer here?' })];
    const info = await writeVersion(root, records, CHAT);
    expect(info).toMatchObject({ rows: 5, unmapped: 1 });
    const unmapped = readJsonlFile(join(info.dir, 'unmapped.jsonl'));
    expect(unmapped).toEqual([{ id: 's0-000099', seed_id: 's0-000099', problems: [expect.stringMatching(/"answer" is not a field/)] }]);
    expect(manifestOf(info.dir).sidecars.map((file) => file.path)).toEqual(['lineage.jsonl', 'unmapped.jsonl']);
  });

  it('refuses to write a version when no record maps, naming an example', async () => {
    const root = tempDir();
    const error = await writeVersion(root, qaRecords(3), { format: 'alpaca', fields: { instruction: '{{ question }}', output: '{{ nope }}' } }).catch((caught: unknown) => caught);
    expect(SynthforgeError.isInstance(error) && error.code).toBe('output_unmappable');
    expect((error as Error).message).toMatch(/none of the 3 records .* alpaca .*"nope" is not a field/);
    // A first version that fails leaves no dataset folder behind.
    expect(existsSync(join(root, 'support-qa'))).toBe(false);
  });

  it('copies extra files beside the data, and refuses reserved names', async () => {
    const root = tempDir();
    const rejects = join(tempDir(), 'rejects.jsonl');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(rejects, '{"id":"x","reason":"dup"}\n');
    const { writeDatasetVersion } = await import('../../src/dataset/write-version.js');
    const { spec, stream, templatesOf, MANIFEST } = await import('./fixtures.js');
    const output = spec(CHAT);
    const base = { outputsRoot: root, dataset: 'support-qa', output, templates: templatesOf(output), manifest: MANIFEST };
    const info = await writeDatasetVersion({ ...base, records: stream(qaRecords(3)), extraFiles: [{ from: rejects, name: 'rejects.jsonl' }] });
    expect(readFileSync(join(info.dir, 'rejects.jsonl'), 'utf8')).toBe('{"id":"x","reason":"dup"}\n');
    const refused = await writeDatasetVersion({ ...base, records: stream(qaRecords(4)), extraFiles: [{ from: rejects, name: 'manifest.json' }] }).catch((caught: unknown) => caught);
    expect(SynthforgeError.isInstance(refused) && refused.code).toBe('output_name_reserved');
  });

  it('keeps paths inside the output root', async () => {
    const error = await writeVersion(tempDir(), qaRecords(1), CHAT, { dataset: '../escape' }).catch((caught: unknown) => caught);
    expect(SynthforgeError.isInstance(error) && error.code).toBe('dataset_name_invalid');
  });
});

describe('writeDatasetVersion: Parquet from the JSON lines', () => {
  it('writes Parquet-only versions with the bytes of the Parquet beside JSONL, on a thread past one row group, leaving no rows file', async () => {
    const records = qaRecords(10_050);
    const both = await writeVersion(tempDir(), records, { ...CHAT, files: ['jsonl', 'parquet'] });
    const only = await writeVersion(tempDir(), records, { ...CHAT, files: ['parquet'] });
    expect(only.files.map((file) => file.path)).toEqual(both.files.filter((file) => file.format === 'parquet').map((file) => file.path));
    expect(only.files.some((file) => file.rows > 10_000)).toBe(true);
    for (const file of only.files) {
      expect(file.sha256).toBe(await sha256(join(only.dir, file.path)));
      expect(readFileSync(join(only.dir, file.path)).equals(readFileSync(join(both.dir, file.path)))).toBe(true);
    }
    expect(readdirSync(join(only.dir, 'data')).sort()).toEqual(only.files.map((file) => file.path.slice('data/'.length)).sort());
    expect(readFileSync(join(only.dir, 'lineage.jsonl')).equals(readFileSync(join(both.dir, 'lineage.jsonl')))).toBe(true);
  });

  it('stratified: spilled rows reach their JSONL shards and Parquet twins alike, the spill file removed', async () => {
    const info = await writeVersion(tempDir(), qaRecords(300), { ...SHARDED, stratify_by: 'topic' });
    const columns = manifestOf(info.dir).columns;
    for (const file of info.files.filter((entry) => entry.format === 'parquet')) {
      const rows: unknown[] = [];
      for await (const row of readParquetRows(join(info.dir, file.path), columns)) rows.push(row);
      expect(rows).toEqual(readJsonlFile(join(info.dir, file.path.replace(/\.parquet$/, '.jsonl'))));
    }
    expect(readdirSync(info.dir, { recursive: true }).filter((name) => String(name).includes('spill') || String(name).includes('partial'))).toEqual([]);
  });
});

/** Each Parquet file equals what converting its finished JSONL twin with the final columns writes. */
async function expectParquetAsConverted(info: VersionInfo, level?: number): Promise<void> {
  const columns = manifestOf(info.dir).columns;
  const codec = { codec: 'ZSTD' as const, zstd: await loadZstdCompressor(level) };
  const reference = join(tempDir(), 'reference.parquet');
  for (const file of info.files.filter((entry) => entry.format === 'parquet')) {
    await jsonlToParquet(join(info.dir, file.path.replace(/\.parquet$/, '.jsonl')), reference, columns, codec);
    expect(readFileSync(join(info.dir, file.path)).equals(readFileSync(reference)), file.path).toBe(true);
  }
  expect(readdirSync(info.dir, { recursive: true }).filter((name) => String(name).includes('partial'))).toEqual([]);
}

/** Raw rows whose columns keep changing after the first row group: a kind widens, a null column gets values, columns appear. */
function changingRecords(count: number): DataRecord[] {
  return Array.from({ length: count }, (_, index) =>
    record(index, {
      text: `row ${index}`,
      n: index < 15_000 ? index : `s${index}`,
      maybe: index < 12_000 ? null : index,
      ...(index >= 16_000 ? { late: true } : {}),
      ...(index >= 17_000 ? { later: [index] } : {}),
    }),
  );
}

const RAW_BOTH: OutputSpecInput = { format: 'raw', splits: { train: 0.9, test: 0.1 }, files: ['jsonl', 'parquet'] };

/**
 * A Parquet-only write whose records fail past one row group (where a shard's twin is being written
 * on the Parquet thread, when there is one) leaves no version and nothing else behind.
 */
async function expectNothingLeftWhenRecordsFail(): Promise<void> {
  const root = tempDir();
  async function* failing(): AsyncIterable<DataRecord> {
    yield* changingRecords(14_000);
    throw new Error('stage file truncated');
  }
  await expect(writeVersion(root, failing(), { ...RAW_BOTH, files: ['parquet'] })).rejects.toThrow('stage file truncated');
  expect(readdirSync(root)).toEqual([]);
}

describe('writeDatasetVersion: Parquet twins streamed while the rows are written', () => {

  it('writes the twins converting the finished shards would, however often the columns change past the first row group', async () => {
    const info = await writeVersion(tempDir(), changingRecords(20_000), RAW_BOTH);
    expect(manifestOf(info.dir).columns.map((column) => `${column.name}:${column.kind.type}`)).toEqual(['id:string', 'text:string', 'n:json', 'maybe:int64', 'late:bool', 'later:double-list']);
    await expectParquetAsConverted(info);
  });

  it('streams every shard of every split, rotated by rows, and stratified rows replayed from the spill file', async () => {
    const sharded = await writeVersion(tempDir(), qaRecords(24_000), { ...CHAT, splits: { train: 0.7, test: 0.3 }, files: ['jsonl', 'parquet'], max_rows_per_file: 11_000 });
    expect(sharded.files.filter((file) => file.format === 'parquet').map((file) => file.path)).toEqual([
      'data/train-00000-of-00002.parquet',
      'data/train-00001-of-00002.parquet',
      'data/test-00000-of-00001.parquet',
    ]);
    await expectParquetAsConverted(sharded);
    await expectParquetAsConverted(await writeVersion(tempDir(), qaRecords(24_000), { ...CHAT, splits: { train: 0.7, test: 0.3 }, stratify_by: 'topic', files: ['jsonl', 'parquet'], max_rows_per_file: 11_000 }));
  });

  describe('with no Parquet encoders (SYNTHFORGE_PARQUET_ENCODERS=0, the default on one core)', () => {
    afterEach(() => {
      vi.unstubAllEnvs();
      vi.restoreAllMocks();
    });

    it('starts no Parquet thread and converts every shard after pass 1, to the bytes the thread writes', async () => {
      const output: OutputSpecInput = { ...CHAT, splits: { train: 0.7, test: 0.3 }, files: ['jsonl', 'parquet'], max_rows_per_file: 11_000 };
      const records = qaRecords(24_000);
      const threaded = await writeVersion(tempDir(), records, output);
      vi.stubEnv('SYNTHFORGE_PARQUET_ENCODERS', '0');
      const stream = vi.spyOn(ParquetThread.prototype, 'stream');
      const convert = vi.spyOn(ParquetThread.prototype, 'convert');
      const here = await writeVersion(tempDir(), records, output);
      expect(stream).not.toHaveBeenCalled();
      expect(convert).not.toHaveBeenCalled();
      expect(here.files.some((file) => file.format === 'parquet' && file.rows > 10_000)).toBe(true);
      expect(here.files).toEqual(threaded.files);
      for (const file of here.files) expect(readFileSync(join(here.dir, file.path)).equals(readFileSync(join(threaded.dir, file.path))), file.path).toBe(true);
      expect(here.contentHash).toBe(threaded.contentHash);
      await expectParquetAsConverted(here);
    });

    it('converts the twins of columns that change past the first row group, and of a Parquet-only version, leaving no rows file', async () => {
      vi.stubEnv('SYNTHFORGE_PARQUET_ENCODERS', '0');
      await expectParquetAsConverted(await writeVersion(tempDir(), changingRecords(20_000), RAW_BOTH));
      const only = await writeVersion(tempDir(), changingRecords(20_000), { ...RAW_BOTH, files: ['parquet'] });
      expect(readdirSync(join(only.dir, 'data')).sort()).toEqual(only.files.map((file) => file.path.slice('data/'.length)).sort());
      expect(only.files.every((file) => file.format === 'parquet')).toBe(true);
    });

    it('leaves no version and no leftovers when the records fail past the first row group', async () => {
      vi.stubEnv('SYNTHFORGE_PARQUET_ENCODERS', '0');
      await expectNothingLeftWhenRecordsFail();
    });
  });

  it('takes output.compression_level: other zstd bytes, the same rows', async () => {
    const records = qaRecords(300);
    const level1 = await writeVersion(tempDir(), records, { ...CHAT, files: ['jsonl', 'parquet'], compression_level: 1 });
    const level19 = await writeVersion(tempDir(), records, { ...CHAT, files: ['jsonl', 'parquet'], compression_level: 19 });
    await expectParquetAsConverted(level1, 1);
    await expectParquetAsConverted(level19, 19);
    const parquet = (info: VersionInfo) => info.files.find((file) => file.format === 'parquet')!;
    expect(parquet(level1).sha256).not.toBe(parquet(level19).sha256);
    expect(level1.contentHash).not.toBe(level19.contentHash);
  });

  it('leaves no version and no leftovers when the records fail while a twin is streaming', async () => {
    await expectNothingLeftWhenRecordsFail();
  });
});

describe('writeDatasetVersion: immutable versions', () => {
  it('writes v2 beside v1 and never touches v1; published files are read-only', async () => {
    const root = tempDir();
    const first = await writeVersion(root, qaRecords(30), SHARDED);
    const before = snapshot(first.dir);
    const second = await writeVersion(root, qaRecords(40), SHARDED);
    expect(second.version).toBe('v2');
    expect(snapshot(first.dir)).toEqual(before);
    expect(manifestOf(second.dir).parent_version).toBe('v1');
    expect(statSync(join(first.dir, 'manifest.json')).mode & 0o222).toBe(0);
    expect(statSync(join(first.dir, first.files[0]!.path)).mode & 0o222).toBe(0);
  });

  it("makes a published version's folders read-only (0555) like its files; the next run still publishes v2 beside it", async () => {
    const root = tempDir();
    const first = await writeVersion(root, qaRecords(30), SHARDED);
    const folders = [first.dir, ...readdirSync(first.dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => join(entry.parentPath, entry.name))];
    expect(folders.map((dir) => dir.slice(first.dir.length))).toEqual(['', '/data']);
    for (const dir of folders) expect((statSync(dir).mode & 0o777).toString(8)).toBe('555');
    const second = await writeVersion(root, qaRecords(40), SHARDED);
    expect(second.version).toBe('v2');
    expect((statSync(second.dir).mode & 0o777).toString(8)).toBe('555');
    expect((statSync(join(second.dir, 'data')).mode & 0o777).toString(8)).toBe('555');
    // The dataset folder itself stays writable: it is where the next version is renamed in.
    expect(statSync(dirname(first.dir)).mode & 0o200).toBe(0o200);
  });

  it('returns the latest version instead of a duplicate when the data files are identical, unless forced', async () => {
    const root = tempDir();
    const first = await writeVersion(root, qaRecords(30), SHARDED);
    const again = await writeVersion(root, qaRecords(30), SHARDED, { manifest: { created_at: 'a later run' } });
    expect(again).toMatchObject({ version: 'v1', reusedExisting: true, contentHash: first.contentHash, rows: 30 });
    expect(readdirSync(join(root, 'support-qa'))).toEqual(['v1']);
    const forced = await writeVersion(root, qaRecords(30), SHARDED, { forceVersion: true });
    expect(forced).toMatchObject({ version: 'v2', reusedExisting: false, contentHash: first.contentHash });
  });

  it('gives the same records the same bytes and content hash in another output root', async () => {
    const first = await writeVersion(tempDir(), qaRecords(50), SHARDED);
    const second = await writeVersion(tempDir(), qaRecords(50), SHARDED, { manifest: { created_at: 'elsewhere' } });
    expect(second.contentHash).toBe(first.contentHash);
    for (const file of first.files) expect(readFileSync(join(second.dir, file.path)).equals(readFileSync(join(first.dir, file.path)))).toBe(true);
    const third = await writeVersion(tempDir(), qaRecords(50, { answerSuffix: '!' }), SHARDED);
    expect(third.contentHash).not.toBe(first.contentHash);
  });

  it('leaves no version and no leftovers when the records fail mid-write', async () => {
    const root = tempDir();
    await writeVersion(root, qaRecords(10), SHARDED);
    async function* failing(): AsyncIterable<DataRecord> {
      yield* qaRecords(20, { start: 100 });
      throw new Error('stage file truncated');
    }
    await expect(writeVersion(root, failing(), SHARDED)).rejects.toThrow('stage file truncated');
    expect(readdirSync(join(root, 'support-qa'))).toEqual(['v1']);
    expect((await listVersions(root, 'support-qa')).map((version) => version.version)).toEqual(['v1']);
  });

  it('a failure on the very first write leaves no dataset folder; on a later write, the earlier versions alone', async () => {
    const root = tempDir();
    async function* failing(): AsyncIterable<DataRecord> {
      yield* qaRecords(5);
      throw new Error('boom');
    }
    await expect(writeVersion(root, failing(), SHARDED)).rejects.toThrow('boom');
    expect(readdirSync(root)).toEqual([]);
    await writeVersion(root, qaRecords(3), SHARDED);
    await expect(writeVersion(root, failing(), SHARDED)).rejects.toThrow('boom');
    expect((await listVersions(root, 'support-qa')).map((version) => version.version)).toEqual(['v1']);
    expect(readdirSync(join(root, 'support-qa'))).toEqual(['v1']);
  });

  it('clears the staging folder of a process that was killed mid-write', async () => {
    const root = tempDir();
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    const abandoned = join(root, 'support-qa', `.staging-${deadPid}-abc123`);
    mkdirSync(join(abandoned, 'data'), { recursive: true });
    const info = await writeVersion(root, qaRecords(3), CHAT);
    expect(readdirSync(join(root, 'support-qa'))).toEqual([info.version]);
  });
});

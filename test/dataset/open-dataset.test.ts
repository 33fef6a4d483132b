import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { SynthforgeError } from '../../src/errors.js';
import type { OpenAIChatRow } from '../../src/dataset/formats/openai-chat-format.js';
import { listVersions } from '../../src/dataset/list-versions.js';
import { openDataset } from '../../src/dataset/open-dataset.js';
import { parseDatasetRef } from '../../src/dataset/dataset-ref.js';
import { readJsonlFile } from '../helpers/read-jsonl-file.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { CHAT, qaRecords, writeVersion } from './fixtures.js';

const tempDir = useTempDirs();

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const row of rows) all.push(row);
  return all;
}

const TWO_SPLITS = { ...CHAT, splits: { train: 0.7, test: 0.3 }, files: ['jsonl', 'parquet'] as ('jsonl' | 'parquet')[] };

describe('parseDatasetRef', () => {
  it('reads name, name@vN, name@N and name@latest', () => {
    expect(parseDatasetRef('support-qa')).toEqual({ dataset: 'support-qa', version: 'latest' });
    expect(parseDatasetRef('support-qa@v3')).toEqual({ dataset: 'support-qa', version: 3 });
    expect(parseDatasetRef('support-qa@12')).toEqual({ dataset: 'support-qa', version: 12 });
    expect(parseDatasetRef('support-qa@latest')).toEqual({ dataset: 'support-qa', version: 'latest' });
    expect(() => parseDatasetRef('support-qa@v0')).toThrow(/not a version/);
    expect(() => parseDatasetRef('@v1')).toThrow(/names no dataset/);
  });
});

describe('openDataset', () => {
  it('returns the manifest and typed rows per split, latest by default', async () => {
    const root = tempDir();
    await writeVersion(root, qaRecords(20), TWO_SPLITS);
    const second = await writeVersion(root, qaRecords(30), TWO_SPLITS);
    const opened = await openDataset(root, 'support-qa');
    expect(opened).toMatchObject({ dataset: 'support-qa', version: 'v2', number: 2, dir: second.dir, format: 'openai-chat', splits: ['train', 'test'] });
    expect(opened.manifest.rows).toBe(30);
    if (opened.format !== 'openai-chat') throw new Error('expected openai-chat');
    expectTypeOf(opened.rows()).toEqualTypeOf<AsyncIterable<OpenAIChatRow>>();
    const train = await collect(opened.rows('train'));
    const test = await collect(opened.rows('test'));
    expect(train.length).toBe(second.splits.train);
    expect(test.length + train.length).toBe(30);
    expect(train[0]!.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant']);
    // The files hold messages only; each row gets its id back from lineage.jsonl.
    const lineage = readJsonlFile(join(second.dir, 'lineage.jsonl'));
    expect(train.map((row) => row.id)).toEqual(lineage.filter((entry) => entry.split === 'train').map((entry) => entry.id));
    expect(test.map((row) => row.id)).toEqual(lineage.filter((entry) => entry.split === 'test').map((entry) => entry.id));
    expect((await collect(opened.rows())).length).toBe(30);

    const older = await openDataset(root, 'support-qa@v1');
    expect(older.manifest.rows).toBe(20);
  });

  it('reads Parquet when a version has no JSONL, giving the same rows', async () => {
    const jsonlRoot = tempDir();
    const parquetRoot = tempDir();
    await writeVersion(jsonlRoot, qaRecords(25), { format: 'raw', files: ['jsonl'] });
    await writeVersion(parquetRoot, qaRecords(25), { format: 'raw', files: ['parquet'], compression: 'snappy' });
    const fromJsonl = await collect<object>((await openDataset(jsonlRoot, 'support-qa@v1')).rows());
    const fromParquet = await collect<object>((await openDataset(parquetRoot, 'support-qa@v1')).rows());
    expect(fromParquet).toEqual(fromJsonl);
  });

  it('names what exists when a dataset, version or split is missing', async () => {
    const root = tempDir();
    await writeVersion(root, qaRecords(5), CHAT);
    await expect(openDataset(root, 'nope')).rejects.toThrow(/no dataset "nope".*datasets: support-qa/);
    await expect(openDataset(root, 'support-qa@v9')).rejects.toThrow(/support-qa has no v9; versions: v1/);
    const opened = await openDataset(root, 'support-qa');
    expect(() => opened.rows('validation')).toThrow(/no split "validation"; splits: train/);
    const error = await openDataset(root, 'support-qa@v9').catch((caught: unknown) => caught);
    expect(SynthforgeError.isInstance(error) && error.code).toBe('dataset_not_found');
  });

  it('reports a missing data file as a corrupt version', async () => {
    const root = tempDir();
    const info = await writeVersion(root, qaRecords(5), CHAT);
    // A published version's folders are read-only; the damage is done as its owner would have to.
    chmodSync(join(info.dir, 'data'), 0o755);
    rmSync(join(info.dir, info.files[0]!.path));
    const opened = await openDataset(root, 'support-qa');
    await expect(collect<object>(opened.rows())).rejects.toThrow(/data file data\/train-00000-of-00001.jsonl is missing/);
  });
});

describe('versions written by the first, minimal writer', () => {
  it('still open: file formats, split counts and columns are derived', async () => {
    const root = tempDir();
    const dir = join(root, 'legacy', 'v1');
    mkdirSync(join(dir, 'data'), { recursive: true });
    const line = '{"id":"s0-000000","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}]}\n';
    writeFileSync(join(dir, 'data', 'train-00000-of-00001.jsonl'), line);
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({ dataset: 'legacy', version: 'v1', content_hash: 'x', rows: 1, format: 'openai-chat', files: [{ path: 'data/train-00000-of-00001.jsonl', split: 'train', rows: 1, bytes: line.length, sha256: 'y' }] }),
    );
    const opened = await openDataset(root, 'legacy');
    expect(opened.splits).toEqual(['train']);
    expect(await collect<object>(opened.rows('train'))).toEqual([JSON.parse(line)]);
    expect((await listVersions(root, 'legacy'))[0]).toMatchObject({ version: 'v1', rows: 1, splits: { train: 1 }, parentVersion: null, unmapped: 0 });
  });
});

describe('listVersions', () => {
  it('lists versions oldest first with counts, format, hash and cost', async () => {
    const root = tempDir();
    await writeVersion(root, qaRecords(10), CHAT);
    await writeVersion(root, qaRecords(12), CHAT);
    const versions = await listVersions(root, 'support-qa');
    expect(versions.map((version) => [version.version, version.rows, version.parentVersion])).toEqual([
      ['v1', 10, null],
      ['v2', 12, 'v1'],
    ]);
    expect(versions[0]).toMatchObject({ format: 'openai-chat', createdAt: '2026-01-01T00:00:00.000Z', models: ['openai/gpt-4o-mini'], costUsd: 0.0123, splits: { train: 10 } });
    expect(versions[0]!.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

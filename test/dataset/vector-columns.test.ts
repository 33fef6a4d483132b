/**
 * Embedding vectors in data files: columns named in `vectorColumns` are written to Parquet as
 * list<float> (float32), declared as float32 lists for Hugging Face `datasets`, read back as number
 * arrays (values rounded to float32), and kept as plain numbers in JSONL.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ColumnTracker } from '../../src/dataset/column-kinds.js';
import { exportDataset } from '../../src/dataset/export-dataset.js';
import { cardFeaturesOf, featuresDictOf } from '../../src/dataset/hf-features.js';
import { readManifest } from '../../src/dataset/manifest.js';
import { openDataset } from '../../src/dataset/open-dataset.js';
import { parquetSchemaOf } from '../../src/dataset/parquet-columns.js';
import { writeDatasetVersion, type VersionInfo } from '../../src/dataset/write-version.js';
import type { DataRecord } from '../../src/domain.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { record, spec, stream, templatesOf } from './fixtures.js';
import { preparePythonEnv, type PythonEnv } from './python-env.js';

const tempDir = useTempDirs();
const DIMENSIONS = 48;

/** Deterministic vectors whose components are not float32-representable (so rounding shows). */
function vectorOf(index: number): number[] {
  return Array.from({ length: DIMENSIONS }, (_, component) => Math.sin(index * 7.31 + component * 1.17) / 3 + 1e-9 * component);
}

function vectorRecords(count: number): DataRecord[] {
  return Array.from({ length: count }, (_, index) =>
    record(index, { question: `Question ${index}?`, embedding: vectorOf(index), scores: [index / 3, 0.1] }),
  );
}

async function writeVectors(root: string, files: ('jsonl' | 'parquet')[], vectorColumns: string[] = ['embedding']): Promise<VersionInfo> {
  const output = spec({ format: 'raw', files, splits: { train: 1 } });
  return writeDatasetVersion({
    outputsRoot: root,
    dataset: 'vectors',
    records: stream(vectorRecords(30)),
    output,
    templates: templatesOf(output),
    manifest: {},
    ...(vectorColumns.length > 0 ? { vectorColumns } : {}),
  });
}

describe('vector columns', () => {
  it('infers float32-list only for the named columns, joining with empty lists and nulls', () => {
    const tracker = new ColumnTracker([], { vectorColumns: ['embedding', 'odd'] });
    tracker.observe({ embedding: [], scores: [0.5, 1], odd: [1, 2] });
    tracker.observe({ embedding: [0.1, 0.2], scores: [], odd: 'text' });
    tracker.observe({ embedding: null, scores: [2, 3] });
    expect(tracker.columns()).toEqual([
      { name: 'embedding', kind: { type: 'float32-list' } },
      { name: 'scores', kind: { type: 'double-list' } },
      { name: 'odd', kind: { type: 'json' } },
    ]);
    // Without the option a list of numbers stays float64.
    const plain = new ColumnTracker();
    plain.observe({ embedding: [0.1, 0.2] });
    expect(plain.columns()).toEqual([{ name: 'embedding', kind: { type: 'double-list' } }]);
  });

  it('maps float32-list to list<float> in Parquet and to a float32 list feature', () => {
    const columns = [{ name: 'embedding', kind: { type: 'float32-list' } } as const];
    expect(parquetSchemaOf(columns).slice(1)).toEqual([
      { name: 'embedding', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'FLOAT', repetition_type: 'OPTIONAL' },
    ]);
    expect(cardFeaturesOf(columns)).toEqual([{ name: 'embedding', list: 'float32' }]);
    expect(featuresDictOf(columns)).toEqual({ embedding: { feature: { dtype: 'float32', _type: 'Value' }, _type: 'Sequence' } });
  });

  it('round-trips vectors through Parquet as float32, and JSONL keeps the exact numbers', async () => {
    const root = tempDir();
    const version = await writeVectors(root, ['jsonl', 'parquet']);
    const parquetFile = join(version.dir, version.files.find((file) => file.format === 'parquet')!.path);

    const file = await asyncBufferFromFile(parquetFile);
    const metadata = await parquetMetadataAsync(file);
    const elements = metadata.schema.filter((element) => element.name === 'element').map((element) => element.type);
    expect(elements).toEqual(['FLOAT', 'DOUBLE']);
    const features = JSON.parse(metadata.key_value_metadata!.find((entry) => entry.key === 'huggingface')!.value!);
    expect(features.info.features.embedding).toEqual({ feature: { dtype: 'float32', _type: 'Value' }, _type: 'Sequence' });
    expect(features.info.features.scores).toEqual({ feature: { dtype: 'float64', _type: 'Value' }, _type: 'Sequence' });

    const raw = await parquetReadObjects({ file, metadata, compressors });
    expect(raw).toHaveLength(30);
    raw.forEach((row, index) => {
      const stored = Array.from(row.embedding as ArrayLike<number>);
      expect(stored).toEqual(vectorOf(index).map(Math.fround));
      // Rounded, not truncated to some other precision: the float64 originals are not all float32 values.
      expect(stored).not.toEqual(vectorOf(index));
      expect(row.scores).toEqual([index / 3, 0.1]);
    });

    const jsonl = readFileSync(join(version.dir, version.files.find((file) => file.format === 'jsonl')!.path), 'utf8').trim().split('\n');
    expect(JSON.parse(jsonl[4]!).embedding).toEqual(vectorOf(4));

    const manifest = await readManifest(version.dir);
    expect(manifest.columns.find((column) => column.name === 'embedding')?.kind).toEqual({ type: 'float32-list' });
    const card = parseYaml(readFileSync(join(version.dir, 'README.md'), 'utf8').split('---')[1]!) as { dataset_info: { features: unknown[] } };
    expect(card.dataset_info.features).toContainEqual({ name: 'embedding', list: 'float32' });
    expect(card.dataset_info.features).toContainEqual({ name: 'scores', list: 'float64' });
  });

  it('reads vectors back through openDataset as number arrays from a Parquet-only version', async () => {
    const root = tempDir();
    await writeVectors(root, ['parquet']);
    const opened = await openDataset(root, 'vectors');
    const rows: Record<string, unknown>[] = [];
    for await (const row of opened.rows() as AsyncIterable<Record<string, unknown>>) rows.push(row);
    expect(rows).toHaveLength(30);
    rows.forEach((row, index) => {
      expect(Array.isArray(row.embedding)).toBe(true);
      expect(row.embedding).toEqual(vectorOf(index).map(Math.fround));
    });
  });

  it('writes float64 lists when no vector column is named', async () => {
    const root = tempDir();
    const version = await writeVectors(root, ['parquet'], []);
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(join(version.dir, version.files[0]!.path)));
    expect(metadata.schema.filter((element) => element.name === 'element').map((element) => element.type)).toEqual(['DOUBLE', 'DOUBLE']);
  });

  it('keeps vectors float32 when a version is exported to Parquet', async () => {
    const root = tempDir();
    await writeVectors(root, ['jsonl']);
    const target = join(tempDir(), 'export.parquet');
    await exportDataset({ outputsRoot: root, ref: 'vectors@v1', format: 'raw', file: target });
    const file = await asyncBufferFromFile(target);
    const metadata = await parquetMetadataAsync(file);
    expect(metadata.schema.filter((element) => element.name === 'element').map((element) => element.type)).toEqual(['FLOAT', 'DOUBLE']);
    const rows = await parquetReadObjects({ file, metadata, compressors });
    expect(Array.from(rows[2]!.embedding as ArrayLike<number>)).toEqual(vectorOf(2).map(Math.fround));
  });
});

const PYTHON_SCRIPT = `
import json, sys
import pyarrow.parquet as pq
from datasets import load_dataset

ds = load_dataset(sys.argv[1])["train"]
table = pq.read_table(sys.argv[2])
print(json.dumps({
    "features": str(ds.features),
    "arrow": str(table.schema.field("embedding").type),
    "first": ds[0]["embedding"],
    "numpy_dtype": str(ds.with_format("numpy")[0]["embedding"].dtype),
}))
`;

describe('vector columns in Python (datasets, pyarrow)', () => {
  let env: PythonEnv = { ok: false, reason: 'not prepared' };
  beforeAll(() => {
    env = preparePythonEnv();
  }, 600_000);

  it('loads a float32 vector column as List(Value(float32)) / list<float>', async (context) => {
    if (!env.ok) return context.skip(`pyarrow/datasets unavailable: ${env.reason}`);
    const root = tempDir();
    const version = await writeVectors(root, ['parquet']);
    const script = join(tempDir(), 'load.py');
    writeFileSync(script, PYTHON_SCRIPT);
    const result = spawnSync(env.python, [script, version.dir, join(version.dir, version.files[0]!.path)], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, HF_HOME: tempDir(), HF_DATASETS_OFFLINE: '1', HF_HUB_OFFLINE: '1', HF_HUB_DISABLE_TELEMETRY: '1' },
    });
    expect(result.status, result.stderr).toBe(0);
    const loaded = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
    expect(loaded.features).toContain("'embedding': List(Value('float32'))");
    expect(loaded.features).toContain("'scores': List(Value('float64'))");
    expect(loaded.arrow).toBe('list<element: float>');
    expect(loaded.numpy_dtype).toBe('float32');
    expect(loaded.first).toEqual(vectorOf(0).map(Math.fround));
  }, 180_000);
});

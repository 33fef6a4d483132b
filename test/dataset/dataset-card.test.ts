import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sizeCategoryOf } from '../../src/dataset/dataset-card.js';
import { portableRecipePath } from '../../src/dataset/manifest.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { CHAT, qaRecords, record, writeVersion } from './fixtures.js';

const tempDir = useTempDirs();

function readCard(dir: string): { header: Record<string, any>; body: string } {
  const text = readFileSync(join(dir, 'README.md'), 'utf8');
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  expect(match).not.toBeNull();
  return { header: parse(match![1]!) as Record<string, any>, body: match![2]! };
}

describe('dataset card', () => {
  it('declares configs with data_files per split, features, splits and size category that datasets reads', async () => {
    const info = await writeVersion(tempDir(), qaRecords(120), {
      ...CHAT,
      splits: { train: 0.75, validation: 0.25 },
      files: ['jsonl', 'parquet'],
      card: { license: 'cc-by-4.0', language: ['en'] },
    });
    const { header } = readCard(info.dir);
    expect(header.license).toBe('cc-by-4.0');
    expect(header.language).toEqual(['en']);
    expect(header.size_categories).toEqual(['n<1K']);
    expect(header.task_categories).toEqual(['text-generation']);
    expect(header.tags).toContain('synthetic');
    expect(header.configs).toEqual([
      {
        config_name: 'default',
        default: true,
        data_files: [
          { split: 'train', path: 'data/train-*.parquet' },
          { split: 'validation', path: 'data/validation-*.parquet' },
        ],
      },
    ]);
    expect(header.dataset_info.features).toEqual([
      { name: 'messages', list: [{ name: 'role', dtype: 'string' }, { name: 'content', dtype: 'string' }] },
    ]);
    expect(header.dataset_info.splits).toEqual([
      { name: 'train', num_examples: info.splits.train },
      { name: 'validation', num_examples: info.splits.validation },
    ]);
  });

  it('points at JSONL when there is no Parquet, with typed raw columns', async () => {
    const info = await writeVersion(tempDir(), qaRecords(10), { format: 'raw' });
    const { header } = readCard(info.dir);
    expect(header.configs[0].data_files).toEqual([{ split: 'train', path: 'data/train-*.jsonl' }]);
    expect(header.task_categories).toBeUndefined();
    expect(header.dataset_info.features).toEqual([
      { name: 'id', dtype: 'string' },
      { name: 'question', dtype: 'string' },
      { name: 'answer', dtype: 'string' },
      { name: 'rejected', dtype: 'string' },
      { name: 'topic', dtype: 'string' },
      { name: 'score', dtype: 'float64' },
      { name: 'count', dtype: 'int64' },
      { name: 'ok', dtype: 'bool' },
      { name: 'tags', list: 'string' },
      { name: 'embedding', list: 'float64' },
    ]);
  });

  it('leaves features out for JSONL columns of mixed types, which a string feature would not load', async () => {
    const info = await writeVersion(tempDir(), [record(1, { value: 'text' }), record(2, { value: { nested: true } })], { format: 'raw' });
    expect(readCard(info.dir).header.dataset_info.features).toBeUndefined();
  });

  it('states the recipe, models, counts, cost and the dedup/filter effects in the body', async () => {
    const info = await writeVersion(tempDir(), [...qaRecords(8), record(50, { question: 'q?' })], CHAT);
    const { body } = readCard(info.dir);
    expect(body).toContain('# support-qa v1');
    expect(body).toContain('`/recipes/support-qa.yaml`');
    expect(body).toContain('`openai/gpt-4o-mini`');
    expect(body).toContain('| train | 8 |');
    expect(body).toMatch(/\| dedup \| dedup \| 12 \| 10 \| 2 duplicates removed \|/);
    expect(body).toMatch(/\| filter \| filter \| 10 \| 9 \| 1 filtered out \|/);
    expect(body).toContain('$0.0123 at batch prices');
    expect(body).toContain('1 record(s) could not be mapped');
  });

  it('names size categories as the Hub does', () => {
    expect(sizeCategoryOf(0)).toBe('n<1K');
    expect(sizeCategoryOf(999)).toBe('n<1K');
    expect(sizeCategoryOf(1000)).toBe('1K<n<10K');
    expect(sizeCategoryOf(250_000)).toBe('100K<n<1M');
    expect(sizeCategoryOf(2e12)).toBe('n>1T');
  });

  it('records the recipe path relative to the working directory, or its file name, never absolute', () => {
    expect(portableRecipePath('/home/ana/project/recipes/qa.yaml', '/home/ana/project')).toBe('recipes/qa.yaml');
    expect(portableRecipePath('/home/ana/elsewhere/qa.yaml', '/home/ana/project')).toBe('qa.yaml');
    expect(portableRecipePath('', '/home/ana/project')).toBe('');
  });
});

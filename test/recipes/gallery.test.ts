/** Every recipe of the gallery runs offline, end to end, with the counts its seeds imply. */
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/api/run-recipe.js';
import { openDataset } from '../../src/dataset/open-dataset.js';
import type { RunSummary } from '../../src/engine/run-report.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const FAST = { validatingMs: 5, inProgressMs: 10, finalizingMs: 5 };

/**
 * YAML recipes run from a copy in a temp dir. The TS recipe runs in place: it imports `synthforge`
 * and `zod`, which resolve from this package (as they would from a user's project).
 */
async function runGallery(file: string): Promise<{ summary: RunSummary; dir: string }> {
  const dir = tempDir();
  cpSync(join(process.cwd(), 'recipes'), join(dir, 'recipes'), { recursive: true });
  const recipe = file.endsWith('.ts') ? join(process.cwd(), 'recipes', file) : join('recipes', file);
  const summary = await runRecipe(recipe, { cwd: dir, offline: true, env: {}, emulator: { faults: { timing: FAST } }, pollIntervalMs: { initial: 5, max: 20 } });
  expect(summary.status).toBe('completed');
  return { summary, dir };
}

const step = (summary: RunSummary, name: string) => summary.steps.find((item) => item.name === name)!.counts;

describe('recipe gallery', () => {
  it('quickstart: questions, dedup, answers, filter → openai-chat', async () => {
    const { summary } = await runGallery('quickstart.yaml');
    expect(step(summary, 'question')).toMatchObject({ input: 10, requested: 30, succeeded: 30 });
    expect(step(summary, 'answer').input).toBe(step(summary, 'dedup-1').output);
    expect(summary.output!.rows).toBe(step(summary, 'filter-3').output);
  });

  it('sft-instructions: SFT pairs across two providers with a test split and Parquet', async () => {
    const { summary, dir } = await runGallery('sft-instructions.yaml');
    expect(step(summary, 'instruction')).toMatchObject({ input: 32, requested: 64, succeeded: 64 });
    expect(summary.steps.map((item) => item.provider ?? item.kind)).toEqual(['openai', 'dedup', 'anthropic', 'filter']);
    const dataset = await openDataset(join(dir, 'outputs'), 'sft-instructions@v1');
    expect(dataset.splits.sort()).toEqual(['test', 'train']);
    const files = (dataset.manifest as unknown as { files: { path: string }[] }).files.map((file) => file.path);
    expect(files.some((path) => path.endsWith('.parquet'))).toBe(true);
  });

  it('dpo-preferences: two answers and a pairwise judge in both orders → chosen/rejected pairs', async () => {
    const { summary, dir } = await runGallery('dpo-preferences.yaml');
    for (const name of ['answer_a', 'answer_b']) expect(step(summary, name)).toMatchObject({ input: 6, succeeded: 6 });
    const verdict = step(summary, 'verdict');
    expect(verdict).toMatchObject({ input: 6, requested: 12, succeeded: 12, judge: { mode: 'pairwise', judged: 6 } });
    expect(verdict.judge!.kept + verdict.judge!.disagreed!).toBe(6);
    const dataset = await openDataset(join(dir, 'outputs'), 'dpo-preferences@v1');
    if (dataset.format !== 'preference') throw new Error(dataset.format);
    let rows = 0;
    for await (const row of dataset.rows()) {
      expect(row.chosen).not.toEqual(row.rejected);
      rows++;
    }
    expect(rows).toBe(verdict.judge!.kept);
  });

  it('label-corpus: one label per line of a JSONL corpus, keeping its ids', async () => {
    const { summary, dir } = await runGallery('label-corpus.yaml');
    expect(step(summary, 'label')).toMatchObject({ input: 8, succeeded: 8 });
    const rows = readFileSync(join(dir, 'outputs', 'review-labels', 'v1', 'data', 'train-00000-of-00001.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(rows.map((row) => row.id)).toEqual(['r-1001', 'r-1002', 'r-1003', 'r-1004', 'r-1005', 'r-1006', 'r-1007', 'r-1008']);
    for (const row of rows) expect(['positive', 'neutral', 'negative']).toContain(row.sentiment);
  });

  it('grade-eval-set: a rubric judge with a forced tool over a CSV eval set', async () => {
    const { summary } = await runGallery('grade-eval-set.yaml');
    expect(summary.steps[0]).toMatchObject({ provider: 'anthropic', outputMode: 'tool', counts: { input: 5, succeeded: 5, judge: { mode: 'rubric', judged: 5, kept: 5 } } });
  });

  it('sampled-tickets: seeds drawn by samplers, the same records on every run, the sampled uuid as the id', async () => {
    const first = await runGallery('sampled-tickets.yaml');
    expect(step(first.summary, 'ticket')).toMatchObject({ input: 12, succeeded: 12 });
    const rowsOf = (dir: string) => readFileSync(join(dir, 'outputs', 'sampled-tickets', 'v1', 'data', 'train-00000-of-00001.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const rows = rowsOf(first.dir);
    for (const row of rows) {
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(['billing', 'shipping', 'returns']).toContain(row.topic);
      expect(Object.keys(row.customer)).toEqual(['first_name', 'last_name', 'age', 'email']);
    }
    const second = await runGallery('sampled-tickets.yaml');
    const seedsOf = (list: Record<string, unknown>[]) => list.map(({ id, topic, subtopic, opened, customer }) => ({ id, topic, subtopic, opened, customer }));
    expect(seedsOf(rowsOf(second.dir))).toEqual(seedsOf(rows));
  });

  it('judged-qa: sampled questions, the one an eval set holds removed before any request, answers judged', async () => {
    const { summary, dir } = await runGallery('judged-qa.yaml');
    const leaks = step(summary, 'eval-leaks');
    expect(leaks.input).toBe(24);
    expect(leaks.output).toBeLessThan(24);
    // Only the records that survived decontamination were answered: nothing was paid for a leaked question.
    expect(step(summary, 'answer')).toMatchObject({ input: leaks.output, succeeded: leaks.output });
    const rows = readFileSync(join(dir, 'outputs', 'judged-qa', 'v1', 'data', 'train-00000-of-00001.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { question: string; quality: { total: number } });
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.question).not.toBe('What is the capital of Australia?');
      expect(row.quality.total).toBeGreaterThanOrEqual(2);
    }
    const rejects = readFileSync(join(dir, 'outputs', 'judged-qa', 'v1', 'rejects.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { kind: string; match?: { eval_item: string } });
    const contaminated = rejects.filter((reject) => reject.kind === 'contaminated');
    expect(contaminated).toHaveLength(24 - leaks.output);
    for (const reject of contaminated) expect(reject.match?.eval_item).toMatch(/eval-set\.csv:2$/);
  });

  it('embed-corpus: batch embeddings over a JSONL corpus, semantic dedup, float32 vectors in Parquet', async () => {
    const { summary, dir } = await runGallery('embed-corpus.yaml');
    expect(summary.steps[0]).toMatchObject({ kind: 'embed', provider: 'openai', counts: { input: 10, succeeded: 10 } });
    const dedup = step(summary, 'dedup-1');
    // t-002, t-005 and t-008 restate t-001, t-003 and t-004 with a word or two changed.
    expect(dedup).toMatchObject({ input: 10, output: 7, duplicates: { exact: 0, near: 0, semantic: 3 } });
    const dataset = await openDataset(join(dir, 'outputs'), 'ticket-embeddings@v1');
    expect((dataset.manifest.columns as { name: string; kind: { type: string } }[]).find((column) => column.name === 'vector')?.kind.type).toBe('float32-list');
    const ids: string[] = [];
    for await (const row of dataset.rows()) {
      ids.push(row.id as string);
      expect((row as unknown as { vector: number[] }).vector).toHaveLength(256);
    }
    expect(ids).toEqual(['t-001', 't-003', 't-004', 't-006', 't-007', 't-009', 't-010']);
  });

  it('ts-recipe: zod schemas and prompt functions, run from code', async () => {
    const { summary, dir } = await runGallery('ts-recipe.ts');
    expect(step(summary, 'question')).toMatchObject({ input: 9, requested: 18, succeeded: 18 });
    const dataset = await openDataset(join(dir, 'outputs'), 'math-word-problems@v1');
    expect(dataset.format).toBe('alpaca');
  });
});

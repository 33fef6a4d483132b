/**
 * Local steps and the version write start while the step before still writes its stage file
 * (stage-tap.ts): the data is what running them one after another gives, a kill -9 in the middle
 * resumes to the same bytes, and a following step that fails holds up nothing.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/api/run-recipe.js';
import type { RunEvent } from '../../src/engine/run-events.js';
import { runCli } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

/** Texts of about 1 KB; every fifth repeats the one before it, so dedup has work. */
function seedLines(count: number): string {
  const lines: string[] = [];
  for (let index = 0; index < count; index++) {
    const source = index % 5 === 4 ? index - 1 : index;
    lines.push(JSON.stringify({ text: `record ${source} ${'lorem ipsum dolor sit amet '.repeat(36)}`, length: source % 7 }));
  }
  return `${lines.join('\n')}\n`;
}

function project(records: number, steps: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'seeds.jsonl'), seedLines(records));
  writeFileSync(
    join(dir, 'recipe.yaml'),
    `name: overlap
seeds:
  - jsonl: seeds.jsonl
steps:
${steps}
output:
  format: raw
  files: [jsonl, parquet]
`,
  );
  return dir;
}

const STEPS = `  - dedup: { fields: [text], exact: true }
  - filter: { field: length, gte: 2 }`;

const dataFiles = (dir: string): Record<string, Buffer> => {
  const data = join(dir, 'outputs', 'overlap', 'v1', 'data');
  return Object.fromEntries(readdirSync(data).map((name) => [name, readFileSync(join(data, name))]));
};

describe('overlapping steps', () => {
  it('starts a local step and the version write before the step before has ended, with the data of steps run one by one', async () => {
    // 4,000 records of ≈ 1 KB: four chunks pass from each step to the next.
    const dir = project(4_000, STEPS);
    const events: RunEvent[] = [];
    const summary = await runRecipe('recipe.yaml', { cwd: dir, env: {}, onEvent: (event) => events.push(event) });
    const order = events.flatMap((event) => (event.type === 'step-start' || event.type === 'step-end' ? [`${event.type} ${event.step}`] : []));
    expect(order.indexOf('step-start filter-1')).toBeLessThan(order.indexOf('step-end dedup-0'));
    expect(summary.steps[0]!.counts).toMatchObject({ input: 4_000, output: 3_200, duplicates: { exact: 800 } });
    const rows = readFileSync(join(dir, 'outputs', 'overlap', 'v1', 'data', 'train-00000-of-00001.jsonl'), 'utf8').trim().split('\n');
    // What the two steps keep, computed here: first copies, whose `length` is at least 2.
    const expected = seedLines(4_000)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { text: string; length: number })
      .filter((record, index) => index % 5 !== 4 && record.length >= 2);
    expect(rows.map((row) => JSON.parse(row) as { text: string; length: number })).toEqual(expected.map((record) => expect.objectContaining(record)));
    expect(summary.output!.rows).toBe(expected.length);
    // The manifest counts what the steps did, known only once they ended.
    const manifest = JSON.parse(readFileSync(join(dir, 'outputs', 'overlap', 'v1', 'manifest.json'), 'utf8')) as { steps: { counts: { output: number } }[] };
    expect(manifest.steps.map((step) => step.counts.output)).toEqual([3_200, expected.length]);
  });

  it('killed while a step writes and the next one reads: the rerun writes the same dataset', async () => {
    const whole = project(4_000, STEPS);
    expect((await runCli(['run', 'recipe.yaml'], { cwd: whole, env: {} })).code).toBe(0);
    const dir = project(4_000, STEPS);
    const crashed = await runCli(['run', 'recipe.yaml'], { cwd: dir, env: { SYNTHFORGE_FAILPOINT: 'overlapping' } });
    expect(crashed.signal).toBe('SIGKILL');
    expect(existsSync(join(dir, 'outputs', 'overlap', 'v1'))).toBe(false);
    const resumed = await runCli(['run', 'recipe.yaml'], { cwd: dir, env: {} });
    expect(resumed.stderr).toContain('resuming run');
    expect(resumed.code).toBe(0);
    const expected = dataFiles(whole);
    const got = dataFiles(dir);
    expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
    for (const name of Object.keys(expected)) expect(got[name]!.equals(expected[name]!)).toBe(true);
  });

  it('a step that fails before reading what the step before writes stops the run without holding that step up', async () => {
    const steps = `  - filter: { field: length, gte: 0 }
  - dedup: { fields: [text], exact: true, against: previous }`;
    const dir = project(200, steps);
    expect((await runRecipe('recipe.yaml', { cwd: dir, env: {} })).output!.version).toBe('v1');
    // A broken references file of v1 fails the dedup step before it reads a record.
    const references = join(dir, 'outputs', 'overlap', 'v1', 'dedup-references-dedup-1.jsonl');
    chmodSync(references, 0o644);
    writeFileSync(references, '{"id": "s0-000000", "fields": \n');
    // 12,000 records of ≈ 1 KB: more than the filter may write before the dedup step reads.
    writeFileSync(join(dir, 'seeds.jsonl'), seedLines(12_000));
    const events: RunEvent[] = [];
    await expect(runRecipe('recipe.yaml', { cwd: dir, env: {}, onEvent: (event) => events.push(event) })).rejects.toThrow();
    // The filter ran to its end (its stage file is complete); nothing was published.
    expect(events.some((event) => event.type === 'step-end' && event.step === 'filter-0')).toBe(true);
    expect(existsSync(join(dir, 'outputs', 'overlap', 'v2'))).toBe(false);
  });
});

describe('SYNTHFORGE_OVERLAP_STEPS', () => {
  const saved = process.env.SYNTHFORGE_OVERLAP_STEPS;
  afterEach(() => {
    if (saved === undefined) delete process.env.SYNTHFORGE_OVERLAP_STEPS;
    else process.env.SYNTHFORGE_OVERLAP_STEPS = saved;
  });

  it('0 runs the steps one after another, with the same data', async () => {
    const overlapped = project(2_000, STEPS);
    await runRecipe('recipe.yaml', { cwd: overlapped, env: {} });
    process.env.SYNTHFORGE_OVERLAP_STEPS = '0';
    const dir = project(2_000, STEPS);
    const events: RunEvent[] = [];
    await runRecipe('recipe.yaml', { cwd: dir, env: {}, onEvent: (event) => events.push(event) });
    const order = events.flatMap((event) => (event.type === 'step-start' || event.type === 'step-end' ? [`${event.type} ${event.step}`] : []));
    expect(order).toEqual(['step-start dedup-0', 'step-end dedup-0', 'step-start filter-1', 'step-end filter-1']);
    const expected = dataFiles(overlapped);
    const got = dataFiles(dir);
    for (const name of Object.keys(expected)) expect(got[name]!.equals(expected[name]!)).toBe(true);
  });

  it('refuses a value other than 0 or 1, naming the variable, and the run fails before any step', async () => {
    process.env.SYNTHFORGE_OVERLAP_STEPS = 'yes';
    const dir = project(10, STEPS);
    const events: RunEvent[] = [];
    const error = await runRecipe('recipe.yaml', { cwd: dir, env: {}, onEvent: (event) => events.push(event) }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'invalid_overlap_steps' });
    expect((error as Error).message).toContain('SYNTHFORGE_OVERLAP_STEPS=yes: expected 1');
    expect(events.some((event) => event.type === 'step-start')).toBe(false);
  });
});

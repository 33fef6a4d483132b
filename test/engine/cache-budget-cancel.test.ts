import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRun } from '../../src/api/plan-run.js';
import { runRecipe } from '../../src/api/run-recipe.js';
import { loadRecipe } from '../../src/recipe/load-recipe.js';
import { RunStore } from '../../src/store/run-store.js';
import { runCli } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { FAST_TIMING, useEmulators } from '../helpers/emulators.js';

const tempDir = useTempDirs();
const emulators = useEmulators();


function recipeText(extra = ''): string {
  return `name: cached
seeds:
  - product: { topic: [tea, coffee, cocoa, mate, juice], audience: [child, chemist, chef, pilot] }
steps:
  - generate: question
    model: openai/gpt-4o-mini
    max_requests_per_batch: 10
    prompt: "Ask a {{ audience }} question about {{ topic }}."
    schema: { type: object, properties: { question: { type: string } }, required: [question] }
${extra}`;
}

function project(text: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'recipe.yaml'), text);
  return dir;
}

const env = () => ({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: emulators.current.openaiBaseURL });
const options = (dir: string) => ({ cwd: dir, env: env(), pollIntervalMs: { initial: 5, max: 20 } });
const data = (dir: string, version: string) => readFileSync(join(dir, 'outputs', 'cached', version, 'data', 'train-00000-of-00001.jsonl'));

describe('response cache', () => {
  it('re-running an unchanged recipe sends nothing and yields identical data files', async () => {
    const emulator = await emulators.start({ faults: { timing: FAST_TIMING } });
    const dir = project(recipeText());
    const first = await runRecipe('recipe.yaml', options(dir));
    const afterFirst = emulator.stats();
    expect(first.samples.sent).toBe(20);
    const second = await runRecipe('recipe.yaml', options(dir));
    expect(second.runId).not.toBe(first.runId);
    expect(emulator.stats().createAttempts.openai).toBe(afterFirst.createAttempts.openai);
    expect(emulator.stats().filesUploaded).toBe(afterFirst.filesUploaded);
    expect(second.samples).toMatchObject({ sent: 0, cached: 20, valid: 20 });
    expect(second.cost.usd).toBe(0);
    const secondVersion = second.output!.version;
    expect(data(dir, secondVersion).equals(data(dir, first.output!.version))).toBe(true);
  });

  it('is shared by another recipe asking the same requests, and --no-cache bypasses it', async () => {
    await emulators.start({ faults: { timing: FAST_TIMING } });
    const dir = project(recipeText());
    await runRecipe('recipe.yaml', options(dir));
    writeFileSync(join(dir, 'other.yaml'), recipeText().replace('name: cached', 'name: other-name'));
    const other = await runRecipe('other.yaml', options(dir));
    expect(other.samples).toMatchObject({ sent: 0, cached: 20 });
    const fresh = await runRecipe('recipe.yaml', { ...options(dir), noCache: true });
    expect(fresh.samples).toMatchObject({ sent: 20, cached: 0 });
  });
});

describe('failures are never final beyond their run', () => {
  it('a later run asks again only what failed, and pays only for that', async () => {
    // Every other line errors (HTTP 500 in the batch), and one attempt per run: the first run ends with failures.
    const emulator = await emulators.start({ faults: { timing: FAST_TIMING, seed: 7, lineErrorRate: 0.5 } });
    const dir = project(recipeText('max_attempts: 1\nmin_valid_rate: 0\n'));
    const first = await runRecipe('recipe.yaml', options(dir));
    const failed = 20 - first.samples.valid;
    expect(failed).toBeGreaterThan(0);
    expect(first.samples.valid).toBeGreaterThan(0);
    emulator.configure({ lineErrorRate: 0 });
    const received = emulator.stats().requestsReceived.openai;
    const second = await runRecipe('recipe.yaml', options(dir));
    // Only the failed requests went out again; the valid ones came from the cache.
    expect(emulator.stats().requestsReceived.openai - received).toBe(failed);
    expect(second.samples).toMatchObject({ sent: failed, cached: first.samples.valid, valid: 20 });
    // A third run finds everything valid in the cache.
    const third = await runRecipe('recipe.yaml', options(dir));
    expect(third.samples).toMatchObject({ sent: 0, cached: 20, valid: 20 });
  });
});

describe('budget guard', () => {
  it('stops before a shard that would cross budget.max_usd and continues once the budget is raised', async () => {
    const emulator = await emulators.start({ faults: { timing: FAST_TIMING } });
    const prices = `prices:\n  "openai/gpt-4o-mini": { input: 500, output: 500 }\n`;
    const dir = project(recipeText(prices));
    const plan = await planRun(await loadRecipe(join(dir, 'recipe.yaml')));
    const estimate = plan.estimate.batchUsd!;
    expect(plan.steps[0]!.shards).toBe(2);
    // Room for one of the two shards, not both.
    writeFileSync(join(dir, 'recipe.yaml'), recipeText(`${prices}budget: { max_usd: ${(estimate * 0.75).toFixed(4)} }\n`));
    const stopped = await runCli(['run', 'recipe.yaml', '--poll-interval', '5'], { cwd: dir, env: env() });
    expect(stopped.code).toBe(3);
    expect(stopped.stderr).toMatch(/budget exceeded: the next shard is estimated at \$[\d.]+, but budget\.max_usd is/);
    expect(stopped.stderr).toMatch(/run `synthforge resume run-/);
    expect(emulator.stats().batchesCreated.openai).toBe(1);

    writeFileSync(join(dir, 'recipe.yaml'), recipeText(`${prices}budget: { max_usd: ${(estimate * 3).toFixed(4)} }\n`));
    const resumed = await runCli(['run', 'recipe.yaml', '--poll-interval', '5'], { cwd: dir, env: env() });
    expect(resumed.stderr).toContain('resuming run');
    expect(resumed.code).toBe(0);
    expect(emulator.stats().batchesCreated.openai).toBe(2);
    expect(emulator.stats().requestsReceived.openai).toBe(20);
  });

  it('refuses to start a budgeted run whose model has no known price', async () => {
    const dir = project(recipeText('budget: { max_usd: 1 }\n').replace('openai/gpt-4o-mini', 'openai/ft:gpt-4o-mini-2024-07-18:acme::xyz'));
    await expect(runRecipe('recipe.yaml', { cwd: dir, offline: true, env: {} })).rejects.toThrow(/no price known for openai\/ft:gpt-4o-mini-2024-07-18:acme::xyz/);
  });
});

describe('status and cancel from another terminal', () => {
  it('cancels a live run: its batches are cancelled, what came back is kept, and the run ends cancelled', async () => {
    const emulator = await emulators.start({ faults: { timing: { validatingMs: 5, inProgressMs: 600_000, finalizingMs: 50 } } });
    const dir = project(recipeText());
    const run = runCli(['run', 'recipe.yaml', '--poll-interval', '10'], { cwd: dir, env: env() });
    const runId = await waitForSubmittedRun(dir);
    const status = await runCli(['status', runId, '--json'], { cwd: dir });
    const report = JSON.parse(status.stdout);
    expect(report.run).toMatchObject({ id: runId, status: 'running', alive: true });
    const cancel = await runCli(['cancel', runId], { cwd: dir });
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toContain(`run ${runId}: cancelled`);
    const finished = await run;
    expect(finished.code).toBe(4);
    expect(emulator.stats().cancels).toBe(2);
    const store = new RunStore(join(dir, '.synthforge'));
    expect(store.getRun(runId)!.status).toBe('cancelled');
    expect(store.shardsOfRun(runId).every((shard) => shard.status === 'collected')).toBe(true);
    store.close();
  });
});

/** Waits (by polling the store, not the clock) until a run has submitted both of its batches. */
async function waitForSubmittedRun(dir: string): Promise<string> {
  for (;;) {
    const status = await runCli(['status', '--json'], { cwd: dir });
    const runs = status.code === 0 ? (JSON.parse(status.stdout).runs as { id: string }[]) : [];
    if (runs[0]) {
      const detail = JSON.parse((await runCli(['status', runs[0].id, '--json'], { cwd: dir })).stdout);
      if (detail.shards.byStatus.submitted === 2) return runs[0].id;
    }
  }
}

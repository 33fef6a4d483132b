/**
 * How a run ends when it does not complete: SIGTERM as Ctrl-C, a dead process shown as interrupted,
 * and a budget stop that still prints its summary and counts what was really sent.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRun } from '../../src/api/plan-run.js';
import { EXIT_CODES } from '../../src/errors.js';
import { loadRecipe } from '../../src/recipe/load-recipe.js';
import { RunStore } from '../../src/store/run-store.js';
import { runCli } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { FAST_TIMING, useEmulators } from '../helpers/emulators.js';
import { startCli, waitForSubmitted } from './live-run.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

function recipeText(extra = ''): string {
  return `name: endings
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

function project(text = recipeText()): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'recipe.yaml'), text);
  return dir;
}

const env = () => ({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: emulators.current.openaiBaseURL });
const SLOW_BATCHES = { faults: { timing: { validatingMs: 5, inProgressMs: 600_000, finalizingMs: 5 } } };

describe('run endings', () => {
  it('SIGTERM is handled like Ctrl-C: summary printed, run left resumable, exit 130', async () => {
    await emulators.start(SLOW_BATCHES);
    const dir = project();
    const live = startCli(['run', 'recipe.yaml', '--poll-interval', '10'], { cwd: dir, env: env() });
    const runId = await waitForSubmitted(join(dir, '.synthforge'), 2, live);
    live.child.kill('SIGTERM');
    const ended = await live.done;
    expect(ended.signal).toBeNull();
    expect(ended.code).toBe(EXIT_CODES.interrupted);
    expect(ended.stdout).toContain(`run ${runId} interrupted`);
    expect(ended.stdout).toMatch(/samples: 20 requested, 20 requests sent/);
    const store = new RunStore(join(dir, '.synthforge'));
    expect(store.getRun(runId)!.status).toBe('interrupted');
    expect(store.findResumableRun(join(dir, 'recipe.yaml'), store.getRun(runId)!.recipeHash)?.id).toBe(runId);
    store.close();
  });

  it('status shows a run whose process is gone as interrupted, not running', async () => {
    await emulators.start({ faults: { timing: FAST_TIMING } });
    const dir = project();
    const crashed = await runCli(['run', 'recipe.yaml', '--poll-interval', '10'], { cwd: dir, env: { ...env(), SYNTHFORGE_FAILPOINT: 'polling' } });
    expect(crashed.signal).toBe('SIGKILL');
    const list = JSON.parse((await runCli(['status', '--json'], { cwd: dir })).stdout);
    const runId = list.runs[0].id as string;
    expect(list.runs[0]).toMatchObject({ status: 'interrupted', alive: false });
    const detail = await runCli(['status', runId, '--json'], { cwd: dir });
    expect(JSON.parse(detail.stdout).run).toMatchObject({ id: runId, status: 'interrupted', alive: false });
    const text = await runCli(['status', runId], { cwd: dir });
    expect(text.stdout).toContain(`run ${runId} of endings: interrupted\n`);
    expect(text.stdout).toContain('step question (generate): interrupted');
    expect(text.stdout).not.toContain('running');
  });

  it('a budget stop prints the summary in text mode, and run-end counts the requests really sent', async () => {
    const emulator = await emulators.start({ faults: { timing: FAST_TIMING } });
    const prices = `prices:\n  "openai/gpt-4o-mini": { input: 500, output: 500 }\n`;
    const dir = project(recipeText(prices));
    const estimate = (await planRun(await loadRecipe(join(dir, 'recipe.yaml')))).estimate.batchUsd!;
    // Room for one of the two shards, not both.
    writeFileSync(join(dir, 'recipe.yaml'), recipeText(`${prices}budget: { max_usd: ${(estimate * 0.75).toFixed(4)} }\n`));

    const text = await runCli(['run', 'recipe.yaml', '--poll-interval', '5'], { cwd: dir, env: env() });
    expect(text.code).toBe(EXIT_CODES.budget);
    expect(text.stdout).toMatch(/^run run-\S+ budget_exceeded/m);
    expect(text.stdout).toMatch(/samples: 20 requested, 10 requests sent/);
    expect(text.stderr).toMatch(/budget exceeded: the next shard is estimated at/);
    expect(emulator.stats().requestsReceived.openai).toBe(10);

    // The same stop in a second project, under --json: run-end counts the requests that went out.
    const other = project(recipeText(`${prices}budget: { max_usd: ${(estimate * 0.75).toFixed(4)} }\n`));
    const json = await runCli(['run', 'recipe.yaml', '--poll-interval', '5', '--json'], { cwd: other, env: env() });
    expect(json.code).toBe(EXIT_CODES.budget);
    const events = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; summary?: { status: string; samples: { sent: number } } });
    const end = events.find((event) => event.type === 'run-end');
    expect(end?.summary?.status).toBe('budget_exceeded');
    expect(end?.summary?.samples.sent).toBe(10);
    // Every line is a typed event, the error that ended the command included.
    for (const event of events) expect(typeof event.type).toBe('string');
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { code: 'budget_exceeded', message: expect.stringContaining('budget exceeded') } });
    expect(emulator.stats().requestsReceived.openai).toBe(20);
  });
});

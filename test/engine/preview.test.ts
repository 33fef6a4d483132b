/** `previewRecipe`: synchronous calls, answers cached for the run, calibrated estimates and the budget guard. */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRun } from '../../src/api/plan-run.js';
import { previewRecipe } from '../../src/api/preview-recipe.js';
import { runRecipe } from '../../src/api/run-recipe.js';
import type { EmulatorOptions, EmulatorServer } from '../../src/emulator/emulator.js';
import type { PreviewEvent } from '../../src/engine/preview-events.js';
import { createProviderCatalog } from '../../src/providers/registry.js';
import { loadRecipe } from '../../src/recipe/load-recipe.js';
import { RunStore } from '../../src/store/run-store.js';
import { FAST_TIMING, useEmulators } from '../helpers/emulators.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

function catalogOf(emulator: EmulatorServer) {
  return createProviderCatalog({
    env: {},
    offline: { openaiBaseURL: emulator.openaiBaseURL, openaiCompatibleBaseURL: emulator.openaiCompatibleBaseURL, anthropicBaseURL: emulator.anthropicBaseURL, geminiBaseURL: emulator.geminiBaseURL },
  });
}

async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorServer> {
  return emulators.start({ ...options, faults: { timing: FAST_TIMING, ...options.faults } });
}

const runOptions = { pollIntervalMs: { initial: 5, max: 20 } };

/** 200 texts to summarise in one sentence each (the summary step the issue measured at 48x). */
function summaryProject(extra = '', shardSize = 50): string {
  const dir = tempDir();
  const lines = Array.from({ length: 200 }, (_, index) => JSON.stringify({ text: `Report ${index}: the river rose ${index % 7} metres near the mill, and the town council met to plan repairs of the bridge and the road.` }));
  writeFileSync(join(dir, 'texts.jsonl'), `${lines.join('\n')}\n`);
  writeFileSync(
    join(dir, 'recipe.yaml'),
    `name: summaries
seeds:
  - jsonl: texts.jsonl
steps:
  - generate: summary
    model: gemini/gemini-2.5-flash
    max_requests_per_batch: ${shardSize}
    prompt: "Summarise in one sentence: {{ text }}"
    schema: { type: object, properties: { summary: { type: string } }, required: [summary] }
${extra}`,
  );
  return dir;
}

describe('previewRecipe', () => {
  it('then a run sends no request twice: the preview answers are served from the cache', async () => {
    const dir = tempDir();
    cpSync(join(process.cwd(), 'recipes'), join(dir, 'recipes'), { recursive: true });
    const emulator = await startEmulator();
    const providers = catalogOf(emulator);
    const events: PreviewEvent[] = [];
    const preview = await previewRecipe('recipes/quickstart.yaml', { cwd: dir, providers, records: 2, onEvent: (event) => events.push(event) });
    expect(preview).toMatchObject({ status: 'completed', records: 2, cached: 0, invalid: 0 });
    expect(preview.sent).toBeGreaterThan(0);
    expect(emulator.stats().chatCompletions).toBe(preview.sent);
    expect(emulator.stats().batchesCreated).toEqual({ openai: 0, anthropic: 0, gemini: 0 });
    expect(events.filter((event) => event.type === 'preview-request')).toHaveLength(preview.sent);

    const summary = await runRecipe('recipes/quickstart.yaml', { cwd: dir, providers, ...runOptions });
    expect(summary.status).toBe('completed');
    // Every request the run needed was either answered by the preview or sent in a batch, never both.
    expect(summary.samples.cached).toBe(preview.valid);
    expect(emulator.stats().requestsReceived.openai).toBe(summary.samples.sent);
    expect(emulator.stats().chatCompletions + emulator.stats().requestsReceived.openai).toBe(summary.samples.requested);
  });

  it('refuses before any call when its estimate at synchronous prices exceeds budget.max_usd', async () => {
    const dir = summaryProject('budget: { max_usd: 0.00001 }\n');
    const emulator = await startEmulator();
    const refused = previewRecipe('recipe.yaml', { cwd: dir, providers: catalogOf(emulator), records: 20 });
    await expect(refused).rejects.toMatchObject({ code: 'budget_exceeded', exitCode: 3 });
    await expect(refused).rejects.toThrow(/recipe\.yaml:\d+:\d+: budget\.max_usd is \$0\.000010, but previewing 20 record\(s\) is estimated at .* at synchronous prices; nothing was sent/);
    expect(emulator.stats().chatCompletions).toBe(0);
    const store = new RunStore(join(dir, '.synthforge'));
    try {
      expect(store.listRuns()).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('calibrates plan: after a 20-record preview the estimate is within 15% of the ledger (seeded answer lengths)', async () => {
    const dir = summaryProject();
    const emulator = await startEmulator({ answerLength: { meanWords: 18, spreadWords: 6 }, faults: { seed: 7 } });
    const providers = catalogOf(emulator);
    const loaded = await loadRecipe(join(dir, 'recipe.yaml'));
    const before = await planRun(loaded, undefined, { cwd: dir, stateDir: '.synthforge' });
    expect(before.steps[0]!.estimate!.basis).toBe('schema estimate');

    await previewRecipe('recipe.yaml', { cwd: dir, providers, records: 20 });
    const after = await planRun(loaded, undefined, { cwd: dir, stateDir: '.synthforge' });
    const step = after.steps[0]!;
    expect(step.cached).toBe(20);
    expect(step.estimate!.basis).toBe('observed: 20 answers from a preview');

    const summary = await runRecipe('recipe.yaml', { cwd: dir, providers, ...runOptions });
    const actual = summary.cost.usd;
    const error = Math.abs(after.estimate.batchUsd! - actual) / actual;
    expect(error).toBeLessThanOrEqual(0.15);
    const [low, high] = after.estimate.range!.batchUsd!;
    expect(low).toBeLessThanOrEqual(actual);
    expect(high).toBeGreaterThanOrEqual(actual);
    // The schema alone (a string without maxLength: about a paragraph) was several times too high.
    expect(before.estimate.batchUsd! / actual).toBeGreaterThan(2);
  });

  it('lets a budgeted run start after a preview although the schema estimate of its first shard would not fit', async () => {
    // A shard of 50 is estimated at ~$0.07 from its schema (a paragraph plus reasoning per summary);
    // the whole run uses well under a cent.
    const budget = 'budget: { max_usd: 0.02 }\n';
    const emulator = await startEmulator({ answerLength: { meanWords: 6, spreadWords: 1 } });
    const providers = catalogOf(emulator);

    const unprimed = summaryProject(budget);
    await expect(runRecipe('recipe.yaml', { cwd: unprimed, providers, ...runOptions })).rejects.toMatchObject({ code: 'budget_exceeded' });

    const primed = summaryProject(budget);
    await previewRecipe('recipe.yaml', { cwd: primed, providers, records: 3 });
    const summary = await runRecipe('recipe.yaml', { cwd: primed, providers, ...runOptions });
    expect(summary.status).toBe('completed');
    expect(summary.cost.usd).toBeLessThanOrEqual(0.02);
  });

  it('the budget guard re-estimates from the shards this run has collected', async () => {
    // 20 shards of 10, one at a time. Each shard's schema estimate fits the budget alone, but spent so
    // far plus that estimate would cross it a few shards in: only re-estimating from the collected
    // shards' real usage lets the run finish.
    const maxUsd = 0.015;
    const emulator = await startEmulator({ answerLength: { meanWords: 4, spreadWords: 0 } });
    const dir = summaryProject(`budget: { max_usd: ${maxUsd} }\n`, 10);
    const plan = await planRun(await loadRecipe(join(dir, 'recipe.yaml')));
    const perShard = plan.estimate.batchUsd! / plan.steps[0]!.shards!;
    expect(perShard).toBeLessThan(maxUsd);
    const summary = await runRecipe('recipe.yaml', { cwd: dir, providers: catalogOf(emulator), ...runOptions, maxConcurrentShards: 1 });
    expect(summary.status).toBe('completed');
    expect(summary.cost.usd).toBeLessThanOrEqual(maxUsd);
    // The guard of before (spent + the planned estimate) would have refused the last shard.
    expect(summary.cost.usd + perShard).toBeGreaterThan(maxUsd);
  });
});

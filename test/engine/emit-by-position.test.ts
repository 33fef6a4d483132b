import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPABILITIES } from '../../src/api/providers.js';
import { runRecipe } from '../../src/api/run-recipe.js';
import { compileRecipe, isBatchStep, type CompiledBatchStep } from '../../src/engine/compile-recipe.js';
import { emitSamples } from '../../src/engine/emit-samples.js';
import { runDirectory, stagePath } from '../../src/engine/stage-files.js';
import { loadRecipe } from '../../src/recipe/load-recipe.js';
import { RunStore } from '../../src/store/run-store.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { emulatorEnv, FAST_TIMING, useEmulators } from '../helpers/emulators.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

const RECIPE = `name: positions
seeds:
  - product: { topic: [tea, coffee, cocoa, mate, juice], audience: [child, chemist, chef, pilot] }
steps:
  - generate: question
    model: openai/gpt-4o-mini
    max_requests_per_batch: 6
    prompt: "Ask a {{ audience }} question about {{ topic }}."
    schema: { type: object, properties: { question: { type: string } }, required: [question] }
`;

const env = () => emulatorEnv(emulators.current);

/** The generate step's output lines as emitting a run's step again gives them now. */
async function emitAgain(dir: string, runId: string): Promise<string[]> {
  const recipe = await compileRecipe(await loadRecipe(join(dir, 'recipe.yaml')), DEFAULT_CAPABILITIES);
  const step = recipe.steps[0] as CompiledBatchStep;
  expect(isBatchStep(step)).toBe(true);
  const store = new RunStore(join(dir, '.synthforge'));
  try {
    const lines: string[] = [];
    const input = stagePath(runDirectory(join(dir, '.synthforge'), runId), 0);
    for await (const line of emitSamples({ runId, store }, step, input, { input: 0, output: 0 })) lines.push(line);
    return lines;
  } finally {
    store.close();
  }
}

function shardsFolder(dir: string, runId: string): string {
  return join(runDirectory(join(dir, '.synthforge'), runId), 'shards');
}

describe('emitting a run joins its own answers by position', () => {
  it('gives the stage file the run wrote, and the same lines from the cache once the positions files are gone', async () => {
    await emulators.start({ faults: { timing: FAST_TIMING } });
    const dir = tempDir();
    writeFileSync(join(dir, 'recipe.yaml'), RECIPE);
    const run = await runRecipe('recipe.yaml', { cwd: dir, env: env(), pollIntervalMs: { initial: 5, max: 20 } });
    const written = readFileSync(stagePath(runDirectory(join(dir, '.synthforge'), run.runId), 1), 'utf8').trimEnd().split('\n');
    expect(written).toHaveLength(20);
    expect(await emitAgain(dir, run.runId)).toEqual(written);
    const positions = readdirSync(shardsFolder(dir, run.runId)).filter((name) => name.endsWith('.answers.pos'));
    expect(positions.length).toBeGreaterThan(1);
    for (const name of positions) rmSync(join(shardsFolder(dir, run.runId), name));
    expect(await emitAgain(dir, run.runId)).toEqual(written);
  });

  it('answers from the cache once a later run has replaced the rows (a --no-cache run between a crash and its resume)', async () => {
    await emulators.start({ faults: { timing: FAST_TIMING } });
    const dir = tempDir();
    writeFileSync(join(dir, 'recipe.yaml'), RECIPE);
    const options = { cwd: dir, env: env(), pollIntervalMs: { initial: 5, max: 20 } };
    const first = await runRecipe('recipe.yaml', options);
    const lineageOf = (line: string) => (JSON.parse(line) as { lineage: { batchId?: string; cached?: boolean }[] }).lineage.at(-1)!;
    expect((await emitAgain(dir, first.runId)).map((line) => lineageOf(line).cached)).toEqual(Array(20).fill(undefined));
    const fresh = await runRecipe('recipe.yaml', { ...options, noCache: true });
    expect(fresh.samples).toMatchObject({ sent: 20, cached: 0 });
    // The cache now points at the later run's answers: the first run's step, emitted again, serves those.
    const again = (await emitAgain(dir, first.runId)).map(lineageOf);
    expect(again.map((entry) => entry.cached)).toEqual(Array(20).fill(true));
    const freshBatches = new Set(readFileSync(stagePath(runDirectory(join(dir, '.synthforge'), fresh.runId), 1), 'utf8').trimEnd().split('\n').map((line) => lineageOf(line).batchId));
    expect(again.every((entry) => freshBatches.has(entry.batchId))).toBe(true);
  });
});

// A run recorded in `store` with its first generate step's round 0 planned, as the post-processing
// benches and the collect tests start: the seeds written to stage 0, then planRound. Not a benchmark.
import { mkdirSync } from 'node:fs';
import type { CompiledBatchStep, CompiledRecipe } from '../src/engine/compile-recipe.js';
import { planRound } from '../src/engine/plan-round.js';
import { newRunId, runDirectory, stagePath, writeRecords } from '../src/engine/stage-files.js';
import { toSeedSpecs } from '../src/engine/seed-sources.js';
import { requestEstimator } from '../src/engine/step-pricing.js';
import { openSeeds } from '../src/seeds/open-seeds.js';
import type { RunStore } from '../src/store/run-store.js';

export async function plannedRun(store: RunStore, recipe: CompiledRecipe, generate: CompiledBatchStep, recipeName = recipe.recipe.name): Promise<{ runId: string; runDir: string }> {
  const runId = newRunId();
  store.createRun({ id: runId, recipeName, recipePath: '(bench)', recipeHash: recipe.recipe.source.workHash, options: { offline: true } });
  const runDir = runDirectory(store.stateDir, runId);
  mkdirSync(runDir, { recursive: true });
  const stage = stagePath(runDir, 0);
  await writeRecords(stage, openSeeds(toSeedSpecs(recipe.recipe), { baseDir: recipe.recipe.source.dir }));
  await planRound({ runId, runDir, store, noCache: false, estimator: await requestEstimator(generate, recipe.recipe) }, generate, stage, 0);
  return { runId, runDir };
}

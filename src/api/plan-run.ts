/** The public `planRun` and `compileRecipe`: the engine's, reading every provider's capabilities by default. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileRecipe as compileWith, type CapabilityLookup, type CompiledRecipe } from '../engine/compile-recipe.js';
import { estimateRun } from '../engine/estimate-run.js';
import type { RunPlan } from '../engine/run-plan.js';
import { loadWithAllIssues } from '../engine/load-with-all-issues.js';
import { RunStore } from '../store/run-store.js';
import { DEFAULT_CAPABILITIES } from './providers.js';
import { loadRecipeArgument, type RecipeArgument } from './recipe-argument.js';

export interface PlanRunOptions {
  /**
   * A state directory whose response cache calibrates the estimate: cached requests cost nothing and
   * answers observed of the same steps (a preview, earlier runs) size the output tokens. Read only;
   * a directory without a store is not created.
   */
  stateDir?: string;
  /** Where a recipe path, a recipe object's seed files and `stateDir` are resolved (default `process.cwd()`). */
  cwd?: string;
  /** Plan only the first N seed records. */
  records?: number;
}

/** What a run of the recipe would send and cost, without any network. Takes what `runRecipe` takes; the state directory's store is read when there is one. */
export async function planRun(recipe: RecipeArgument, providers: CapabilityLookup = DEFAULT_CAPABILITIES, options: PlanRunOptions = {}): Promise<RunPlan> {
  const loaded = await loadWithAllIssues(() => loadRecipeArgument(recipe, options.cwd), providers);
  const stateDir = options.stateDir === undefined ? undefined : resolve(options.cwd ?? process.cwd(), options.stateDir);
  const store = stateDir !== undefined && existsSync(join(stateDir, 'synthforge.db')) ? new RunStore(stateDir) : undefined;
  try {
    return await estimateRun(loaded, providers, { ...(store ? { store } : {}), ...(options.records !== undefined ? { records: options.records } : {}) });
  } finally {
    store?.close();
  }
}

/** Checks a recipe as `synthforge validate` does; throws a RecipeError listing every issue. */
export async function compileRecipe(recipe: RecipeArgument, providers: CapabilityLookup = DEFAULT_CAPABILITIES, options: { cwd?: string } = {}): Promise<CompiledRecipe> {
  return compileWith(await loadWithAllIssues(() => loadRecipeArgument(recipe, options.cwd), providers), providers);
}

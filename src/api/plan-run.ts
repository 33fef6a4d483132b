/** The public `planRun` and `compileRecipe`: the engine's, reading every provider's capabilities by default. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileRecipe as compileWith, type CapabilityLookup, type CompiledRecipe } from '../engine/compile-recipe.js';
import { estimateRun, type RunPlan } from '../engine/estimate-run.js';
import type { LoadedRecipe } from '../recipe/recipe.js';
import { RunStore } from '../store/run-store.js';
import { DEFAULT_CAPABILITIES } from './providers.js';

export interface PlanRunOptions {
  /**
   * A state directory whose response cache calibrates the estimate: cached requests cost nothing and
   * answers observed of the same steps (a preview, earlier runs) size the output tokens. Read only;
   * a directory without a store is not created.
   */
  stateDir?: string;
  cwd?: string;
  /** Plan only the first N seed records. */
  records?: number;
}

/** What a run of the recipe would send and cost, without any network; the state directory's store is read when there is one. */
export async function planRun(loaded: LoadedRecipe, providers: CapabilityLookup = DEFAULT_CAPABILITIES, options: PlanRunOptions = {}): Promise<RunPlan> {
  const stateDir = options.stateDir === undefined ? undefined : resolve(options.cwd ?? process.cwd(), options.stateDir);
  const store = stateDir !== undefined && existsSync(join(stateDir, 'synthforge.db')) ? new RunStore(stateDir) : undefined;
  try {
    return await estimateRun(loaded, providers, { ...(store ? { store } : {}), ...(options.records !== undefined ? { records: options.records } : {}) });
  } finally {
    store?.close();
  }
}

/** Checks a loaded recipe as `synthforge validate` does; throws a RecipeError listing every issue. */
export function compileRecipe(loaded: LoadedRecipe, providers: CapabilityLookup = DEFAULT_CAPABILITIES): Promise<CompiledRecipe> {
  return compileWith(loaded, providers);
}

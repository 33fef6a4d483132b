/** The public `planRun` and `compileRecipe`: the engine's, reading every provider's capabilities by default. */
import { compileRecipe as compileWith, type CapabilityLookup, type CompiledRecipe } from '../engine/compile-recipe.js';
import { estimateRun, type RunPlan } from '../engine/estimate-run.js';
import type { LoadedRecipe } from '../recipe/recipe.js';
import { DEFAULT_CAPABILITIES } from './providers.js';

/** What a run of the recipe would send and cost, without any network or state. */
export function planRun(loaded: LoadedRecipe, providers: CapabilityLookup = DEFAULT_CAPABILITIES): Promise<RunPlan> {
  return estimateRun(loaded, providers);
}

/** Checks a loaded recipe as `synthforge validate` does; throws a RecipeError listing every issue. */
export function compileRecipe(loaded: LoadedRecipe, providers: CapabilityLookup = DEFAULT_CAPABILITIES): Promise<CompiledRecipe> {
  return compileWith(loaded, providers);
}

/** The public `planRun` and `compileRecipe`: the engine's, reading every provider's capabilities by default. */
import { compileRecipe as compileWith, type CapabilityLookup, type CompiledRecipe } from '../engine/compile-recipe.js';
import { estimateRun, type RunPlan } from '../engine/estimate-run.js';
import { DEFAULT_CAPABILITIES } from './providers.js';
import { loadRecipeArgument, type RecipeArgument } from './recipe-argument.js';

export interface PlanOptions {
  /** Where a recipe path and a recipe object's seed files are resolved (default `process.cwd()`). */
  cwd?: string;
}

/** What a run of the recipe would send and cost, without any network or state. Takes what `runRecipe` takes. */
export async function planRun(recipe: RecipeArgument, providers: CapabilityLookup = DEFAULT_CAPABILITIES, options: PlanOptions = {}): Promise<RunPlan> {
  return estimateRun(await loadRecipeArgument(recipe, options.cwd), providers);
}

/** Checks a recipe as `synthforge validate` does; throws a RecipeError listing every issue. */
export async function compileRecipe(recipe: RecipeArgument, providers: CapabilityLookup = DEFAULT_CAPABILITIES, options: PlanOptions = {}): Promise<CompiledRecipe> {
  return compileWith(await loadRecipeArgument(recipe, options.cwd), providers);
}

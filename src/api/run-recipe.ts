/**
 * The public `runRecipe`: the engine's, with its providers chosen from the options (`offline`, the
 * environment) when the caller does not hand in a catalog of its own.
 */
import { runRecipe as runWithProviders, type RunOptions } from '../engine/run-recipe.js';
import type { RunSummary } from '../engine/run-report.js';
import type { RecipeArgument } from './recipe-argument.js';
import { withProviders, type ProviderChoice } from './with-providers.js';

export interface RunRecipeOptions extends Omit<RunOptions, 'providers'>, ProviderChoice {}

export async function runRecipe(recipe: RecipeArgument, options: RunRecipeOptions = {}): Promise<RunSummary> {
  return withProviders(options, (rest, providers) => runWithProviders(recipe, { ...rest, providers }));
}

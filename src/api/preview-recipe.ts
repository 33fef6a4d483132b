/**
 * The public `previewRecipe`: the engine's, with its providers chosen from the options (`offline`,
 * the environment) when the caller does not hand in a catalog of its own, as `runRecipe` does.
 */
import { previewRecipe as previewWithProviders, type PreviewOptions } from '../engine/preview-recipe.js';
import type { PreviewSummary } from '../engine/preview-events.js';
import type { RecipeArgument } from '../engine/run-recipe.js';
import { withProviders, type ProviderChoice } from './with-providers.js';

export interface PreviewRecipeOptions extends Omit<PreviewOptions, 'providers'>, ProviderChoice {}

export async function previewRecipe(recipe: RecipeArgument, options: PreviewRecipeOptions = {}): Promise<PreviewSummary> {
  return withProviders(options, (rest, providers) => previewWithProviders(recipe, { ...rest, providers }));
}

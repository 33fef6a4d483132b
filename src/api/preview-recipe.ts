/**
 * The public `previewRecipe`: the engine's, with its providers chosen from the options (`offline`,
 * the environment) when the caller does not hand in a catalog of its own, as `runRecipe` does.
 */
import type { EmulatorOptions } from '../emulator/emulator.js';
import { previewRecipe as previewWithProviders, type PreviewOptions } from '../engine/preview-recipe.js';
import type { PreviewSummary } from '../engine/preview-events.js';
import type { RecipeArgument } from '../engine/run-recipe.js';
import type { ProviderCatalog } from '../providers/batch-provider.js';
import { openProviders } from './providers.js';

export interface PreviewRecipeOptions extends Omit<PreviewOptions, 'providers'> {
  /** Use these providers; the options below are then ignored. */
  providers?: ProviderCatalog;
  /** Start the built-in emulator in-process and point every provider at it. */
  offline?: boolean;
  /** Fault, timing and answer-length options of the offline emulator. */
  emulator?: Partial<EmulatorOptions>;
  /** Where keys and base URLs are read (default `process.env`). */
  env?: Record<string, string | undefined>;
}

export async function previewRecipe(recipe: RecipeArgument, options: PreviewRecipeOptions = {}): Promise<PreviewSummary> {
  const { providers, offline, emulator, env, ...rest } = options;
  if (providers) return previewWithProviders(recipe, { ...rest, providers });
  const opened = await openProviders({
    ...(offline !== undefined ? { offline } : {}),
    ...(emulator ? { emulator } : {}),
    ...(env ? { env } : {}),
    ...(rest.stateDir !== undefined ? { stateDir: rest.stateDir } : {}),
    ...(rest.cwd !== undefined ? { cwd: rest.cwd } : {}),
  });
  try {
    return await previewWithProviders(recipe, { ...rest, providers: opened.catalog });
  } finally {
    await opened.close();
  }
}

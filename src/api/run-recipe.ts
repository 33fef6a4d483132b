/**
 * The public `runRecipe`: the engine's, with its providers chosen from the options (`offline`, the
 * environment) when the caller does not hand in a catalog of its own.
 */
import type { EmulatorOptions } from '../emulator/emulator.js';
import { runRecipe as runWithProviders, type RunOptions } from '../engine/run-recipe.js';
import type { RunSummary } from '../engine/run-report.js';
import type { ProviderCatalog } from '../providers/batch-provider.js';
import { openProviders } from './providers.js';
import type { RecipeArgument } from './recipe-argument.js';

export interface RunRecipeOptions extends Omit<RunOptions, 'providers'> {
  /** Use these providers; the options below are then ignored. */
  providers?: ProviderCatalog;
  /** Start the built-in emulator in-process and point every provider at it. */
  offline?: boolean;
  /** Fault and timing options of the offline emulator. */
  emulator?: Partial<EmulatorOptions>;
  /** Where keys and base URLs are read (default `process.env`). */
  env?: Record<string, string | undefined>;
}

export async function runRecipe(recipe: RecipeArgument, options: RunRecipeOptions = {}): Promise<RunSummary> {
  const { providers, offline, emulator, env, ...rest } = options;
  if (providers) return runWithProviders(recipe, { ...rest, providers });
  const opened = await openProviders({
    ...(offline !== undefined ? { offline } : {}),
    ...(emulator ? { emulator } : {}),
    ...(env ? { env } : {}),
    ...(rest.stateDir !== undefined ? { stateDir: rest.stateDir } : {}),
    ...(rest.cwd !== undefined ? { cwd: rest.cwd } : {}),
  });
  try {
    return await runWithProviders(recipe, { ...rest, providers: opened.catalog });
  } finally {
    await opened.close();
  }
}

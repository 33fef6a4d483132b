/**
 * How the public entry points (`runRecipe`, `previewRecipe`) get their providers: the caller's
 * catalog when given, else one opened from the options (`offline` starts the emulator in-process, or
 * the environment's keys and base URLs), closed again when the work is done.
 */
import type { EmulatorOptions } from '../emulator/emulator.js';
import type { ProviderCatalog } from '../providers/batch-provider.js';
import { openProviders } from './providers.js';

export interface ProviderChoice {
  /** Use these providers; the options below are then ignored. */
  providers?: ProviderCatalog;
  /** Start the built-in emulator in-process and point every provider at it. */
  offline?: boolean;
  /** Fault, timing and answer-length options of the offline emulator. */
  emulator?: Partial<EmulatorOptions>;
  /** Where keys and base URLs are read (default `process.env`). */
  env?: Record<string, string | undefined>;
}

export async function withProviders<Rest extends { stateDir?: string; cwd?: string }, T>(
  options: ProviderChoice & Rest,
  use: (rest: Rest, providers: ProviderCatalog) => Promise<T>,
): Promise<T> {
  const { providers, offline, emulator, env, ...rest } = options;
  const others = rest as unknown as Rest;
  if (providers) return use(others, providers);
  const opened = await openProviders({
    ...(offline !== undefined ? { offline } : {}),
    ...(emulator ? { emulator } : {}),
    ...(env ? { env } : {}),
    ...(others.stateDir !== undefined ? { stateDir: others.stateDir } : {}),
    ...(others.cwd !== undefined ? { cwd: others.cwd } : {}),
  });
  try {
    return await use(others, opened.catalog);
  } finally {
    await opened.close();
  }
}

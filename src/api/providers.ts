/**
 * Where a run's requests go, chosen at the edge (CLI, public API) and handed to the engine: the real
 * providers with keys from the environment, or, offline, the built-in emulator started in this
 * process with every provider pointed at it.
 */
import { join, resolve } from 'node:path';
import type { EmulatorOptions, EmulatorServer } from '../emulator/emulator.js';
import type { CapabilityLookup } from '../engine/compile-recipe.js';
import type { ProviderCatalog } from '../providers/batch-provider.js';
import { createProviderCatalog, PROVIDER_CAPABILITIES } from '../providers/registry.js';

/** Every provider's capabilities: all that validating and estimating need. */
export const DEFAULT_CAPABILITIES: CapabilityLookup = { capabilities: (provider) => PROVIDER_CAPABILITIES[provider] };

export interface OpenProvidersOptions {
  /** Start the built-in emulator and send every request to it (no keys, no cost). */
  offline?: boolean;
  /**
   * The run state directory (default `./.synthforge`). Offline, the emulator keeps its files and
   * batches under `<stateDir>/emulator`, so a resumed offline run finds the batches it created.
   */
  stateDir?: string;
  cwd?: string;
  /** Fault and timing options of the offline emulator. */
  emulator?: Partial<EmulatorOptions>;
  /** Where keys and base URLs are read (default `process.env`). */
  env?: Record<string, string | undefined>;
}

export interface OpenedProviders {
  catalog: ProviderCatalog;
  /** Stops the emulator, if one was started. */
  close(): Promise<void>;
}

/**
 * Offline, the emulator starts when a step first opens a provider, so a recipe that fails to
 * compile, or has no batch step, never starts a server.
 */
export async function openProviders(options: OpenProvidersOptions = {}): Promise<OpenedProviders> {
  const env = options.env ?? process.env;
  if (!options.offline) return { catalog: createProviderCatalog({ env }), close: async () => {} };
  const stateDir = resolve(options.cwd ?? process.cwd(), options.stateDir ?? '.synthforge');
  let started: Promise<{ emulator: EmulatorServer; catalog: ProviderCatalog }> | undefined;
  const start = (): Promise<{ emulator: EmulatorServer; catalog: ProviderCatalog }> =>
    (started ??= (async () => {
      // Loaded only when needed: runs against real providers never load the emulator.
      const { startEmulator } = await import('../emulator/emulator.js');
      const emulator = await startEmulator({ dataDir: join(stateDir, 'emulator'), ...options.emulator });
      const offline = { openaiBaseURL: emulator.openaiBaseURL, openaiCompatibleBaseURL: emulator.openaiCompatibleBaseURL, anthropicBaseURL: emulator.anthropicBaseURL, geminiBaseURL: emulator.geminiBaseURL };
      return { emulator, catalog: createProviderCatalog({ env, offline }) };
    })().catch((error: unknown) => {
      // A failed start (a port, a data dir) is not remembered: the next open tries again.
      started = undefined;
      throw error;
    }));
  const catalog: ProviderCatalog = {
    offline: true,
    capabilities: DEFAULT_CAPABILITIES.capabilities,
    // The emulator takes any key.
    checkCredentials: () => {},
    open: async (model, openOptions) => (await start()).catalog.open(model, openOptions),
  };
  return {
    catalog,
    close: async () => {
      const running = await started?.catch(() => undefined);
      await running?.emulator.close();
    },
  };
}

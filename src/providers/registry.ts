/**
 * The default provider catalog: capabilities of every provider, and adapters built on demand with
 * credentials from the environment only. With `offline`, every provider points at the given
 * endpoints (the built-in emulator) and needs no key.
 *
 * Adapters are imported when first opened, so `validate` and `plan` never load a vendor SDK.
 */
import type { ModelRef, ProviderId } from '../domain.js';
import { UsageError } from '../errors.js';
import { SecretRedactor } from '../redact-secrets.js';
import type { BatchProvider, ProviderCapabilities, ProviderCatalog } from './batch-provider.js';
import { MissingCredentialsError } from './errors.js';
import { withSecretRedaction } from './with-secret-redaction.js';
import { ANTHROPIC_CAPABILITIES } from './anthropic/anthropic-capabilities.js';
import { GEMINI_CAPABILITIES } from './gemini/gemini-capabilities.js';
import { OPENAI_CAPABILITIES } from './openai/openai-capabilities.js';
import { OPENAI_COMPATIBLE_CAPABILITIES } from './openai-compatible/openai-compatible-capabilities.js';

export const PROVIDER_CAPABILITIES: Readonly<Record<ProviderId, ProviderCapabilities>> = {
  openai: OPENAI_CAPABILITIES,
  anthropic: ANTHROPIC_CAPABILITIES,
  gemini: GEMINI_CAPABILITIES,
  'openai-compatible': OPENAI_COMPATIBLE_CAPABILITIES,
};

/** Every environment variable any provider reads a key from: the values that are never written anywhere. */
export const SECRET_VARIABLES: readonly string[] = [
  ...new Set(Object.values(PROVIDER_CAPABILITIES).flatMap((capabilities) => [...capabilities.keyVariables, ...(capabilities.optionalKeyVariables ?? [])])),
];

/** Redacts the keys set in `env` (see SECRET_VARIABLES) from text and data. */
export function secretRedactorFor(env: Readonly<Record<string, string | undefined>>): SecretRedactor {
  return SecretRedactor.fromEnv(env, SECRET_VARIABLES);
}

/** Base URLs that replace every provider's own (the emulator's, when running offline). */
export interface OfflineEndpoints {
  openaiBaseURL: string;
  /** Stands in for a server the user runs: serves any model name. */
  openaiCompatibleBaseURL: string;
  anthropicBaseURL: string;
  geminiBaseURL: string;
}

export interface ProviderSetup {
  env: Record<string, string | undefined>;
  offline?: OfflineEndpoints;
  /** Overrides for tests: per-call timeout and retries of idempotent calls. */
  timeoutMs?: number;
  maxRetries?: number;
}

/** The catalog `runRecipe` uses unless it is given another. */
export function createProviderCatalog(setup: ProviderSetup): ProviderCatalog {
  const instances = new Map<string, Promise<BatchProvider>>();
  // Every key of the environment, not only the provider's own: a server may echo anything it was sent.
  const redactor = secretRedactorFor(setup.env);
  return {
    offline: setup.offline !== undefined,
    capabilities: (provider) => PROVIDER_CAPABILITIES[provider],
    checkCredentials(providers) {
      if (setup.offline) return;
      for (const provider of new Set(providers)) requireKey(setup.env, provider);
    },
    open(model: ModelRef, options: { baseUrl?: string } = {}) {
      const cacheKey = `${model.provider}|${options.baseUrl ?? ''}`;
      let provider = instances.get(cacheKey);
      if (!provider) {
        provider = createAdapter(setup, model.provider, options.baseUrl, redactor).then((adapter) => withSecretRedaction(adapter, redactor));
        // A failed creation (no key, no base URL) is not remembered.
        provider.catch(() => instances.delete(cacheKey));
        instances.set(cacheKey, provider);
      }
      return provider;
    },
  };
}

async function createAdapter(setup: ProviderSetup, provider: ProviderId, baseUrl: string | undefined, redactor: SecretRedactor): Promise<BatchProvider> {
  const { env, offline } = setup;
  const common = {
    ...(setup.timeoutMs !== undefined ? { timeoutMs: setup.timeoutMs } : {}),
    ...(setup.maxRetries !== undefined ? { maxRetries: setup.maxRetries } : {}),
  };
  const credentials = (): { apiKey: string; keyVariable?: string } => {
    if (offline) return { apiKey: 'offline-emulator' };
    const key = requireKey(env, provider);
    return { apiKey: key.value, ...(key.name ? { keyVariable: key.name } : {}) };
  };
  switch (provider) {
    case 'openai': {
      const { OpenAIBatchProvider } = await import('./openai/openai-batch-provider.js');
      const baseURL = offline?.openaiBaseURL ?? env.OPENAI_BASE_URL;
      return new OpenAIBatchProvider({ ...credentials(), ...(baseURL ? { baseURL } : {}), ...common });
    }
    case 'anthropic': {
      const { AnthropicBatchProvider } = await import('./anthropic/anthropic-batch-provider.js');
      const baseURL = offline?.anthropicBaseURL ?? env.ANTHROPIC_BASE_URL;
      return new AnthropicBatchProvider({ ...credentials(), ...(baseURL ? { baseURL } : {}), ...common });
    }
    case 'gemini': {
      const { GeminiBatchProvider } = await import('./gemini/gemini-batch-provider.js');
      // GEMINI_BASE_URL, else the SDK's own GOOGLE_GEMINI_BASE_URL (read by the SDK when we pass none).
      const baseURL = offline?.geminiBaseURL ?? env.GEMINI_BASE_URL;
      return new GeminiBatchProvider({ ...credentials(), ...(baseURL ? { baseURL } : {}), ...common });
    }
    case 'openai-compatible': {
      const { OpenAICompatibleProvider } = await import('./openai-compatible/openai-compatible-provider.js');
      const variable = OPENAI_COMPATIBLE_CAPABILITIES.baseUrlVariable!;
      const [keyVariable] = OPENAI_COMPATIBLE_CAPABILITIES.optionalKeyVariables ?? [];
      // Offline, a local server is stood in for by the emulator's chat completions endpoint.
      const baseURL = offline ? offline.openaiCompatibleBaseURL : (baseUrl ?? env[variable]);
      if (!baseURL) throw new UsageError('missing_base_url', `an openai-compatible model needs base_url in the recipe (or ${variable})`);
      const apiKey = keyVariable ? env[keyVariable] : undefined;
      return new OpenAICompatibleProvider({
        baseURL,
        ...(apiKey ? { apiKey } : {}),
        ...(keyVariable ? { keyVariable } : {}),
        // Its results file is written by the adapter itself, so it redacts before writing.
        redactor,
        ...(setup.timeoutMs !== undefined ? { timeoutMs: setup.timeoutMs } : {}),
        ...(offline ? { retryBaseMs: 20 } : {}),
      });
    }
  }
}

/** The first key variable that is set, or MissingCredentialsError naming them all. Providers that need no key pass. */
function requireKey(env: Record<string, string | undefined>, provider: ProviderId): { name?: string; value: string } {
  const variables = PROVIDER_CAPABILITIES[provider].keyVariables;
  if (variables.length === 0) return { value: '' };
  for (const name of variables) {
    const value = env[name];
    if (value) return { name, value };
  }
  throw new MissingCredentialsError(provider, [...variables]);
}

/**
 * Builds provider adapters for the steps of a recipe, with credentials from the environment only.
 * With `offline`, every provider points at the in-process emulator instead.
 */
import type { ModelRef, ProviderId } from '../domain.js';
import { UsageError } from '../errors.js';
import type { BatchProvider } from '../providers/batch-provider.js';
import { MissingCredentialsError } from '../providers/errors.js';
import { AnthropicBatchProvider } from '../providers/anthropic/anthropic-batch-provider.js';
import { GeminiBatchProvider } from '../providers/gemini/gemini-batch-provider.js';
import { OpenAIBatchProvider } from '../providers/openai/openai-batch-provider.js';
import { OpenAICompatibleProvider } from '../providers/openai-compatible/openai-compatible-provider.js';

export interface OfflineEndpoints {
  openaiBaseURL: string;
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

const KEY_VARIABLES: Record<ProviderId, string[]> = {
  openai: ['OPENAI_API_KEY'],
  anthropic: ['ANTHROPIC_API_KEY'],
  gemini: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
  'openai-compatible': [],
};

/** Fails before anything is sent when a provider the recipe uses has no key (offline runs need none). */
export function checkCredentials(providers: Iterable<ProviderId>, env: Record<string, string | undefined>, offline: boolean): void {
  if (offline) return;
  for (const provider of new Set(providers)) {
    const variables = KEY_VARIABLES[provider];
    if (variables.length > 0 && !variables.some((name) => env[name])) throw new MissingCredentialsError(provider, variables);
  }
}

export class ProviderRegistry {
  private readonly instances = new Map<string, BatchProvider>();

  constructor(private readonly setup: ProviderSetup) {}

  get(ref: ModelRef, baseUrl?: string): BatchProvider {
    const cacheKey = `${ref.provider}|${baseUrl ?? ''}`;
    let provider = this.instances.get(cacheKey);
    if (!provider) {
      provider = this.create(ref.provider, baseUrl);
      this.instances.set(cacheKey, provider);
    }
    return provider;
  }

  private create(provider: ProviderId, baseUrl: string | undefined): BatchProvider {
    const { env, offline } = this.setup;
    const common = {
      ...(this.setup.timeoutMs !== undefined ? { timeoutMs: this.setup.timeoutMs } : {}),
      ...(this.setup.maxRetries !== undefined ? { maxRetries: this.setup.maxRetries } : {}),
    };
    switch (provider) {
      case 'openai': {
        const baseURL = offline?.openaiBaseURL ?? env.OPENAI_BASE_URL;
        return new OpenAIBatchProvider({ apiKey: offline ? 'offline-emulator' : requireKey(env, 'openai'), ...(baseURL ? { baseURL } : {}), ...common });
      }
      case 'anthropic': {
        const baseURL = offline?.anthropicBaseURL ?? env.ANTHROPIC_BASE_URL;
        return new AnthropicBatchProvider({ apiKey: offline ? 'offline-emulator' : requireKey(env, 'anthropic'), ...(baseURL ? { baseURL } : {}), ...common });
      }
      case 'gemini': {
        // GEMINI_BASE_URL, else the SDK's own GOOGLE_GEMINI_BASE_URL (read by the SDK when we pass none).
        const baseURL = offline?.geminiBaseURL ?? env.GEMINI_BASE_URL;
        return new GeminiBatchProvider({ apiKey: offline ? 'offline-emulator' : requireKey(env, 'gemini'), ...(baseURL ? { baseURL } : {}), ...common });
      }
      case 'openai-compatible': {
        const configured = baseUrl ?? env.OPENAI_COMPATIBLE_BASE_URL;
        // Offline, a local server is stood in for by the emulator's chat completions endpoint.
        const baseURL = offline ? offline.openaiBaseURL : configured;
        if (!baseURL) throw new UsageError('missing_base_url', 'an openai-compatible model needs base_url in the recipe (or OPENAI_COMPATIBLE_BASE_URL)');
        return new OpenAICompatibleProvider({
          baseURL,
          ...(env.OPENAI_COMPATIBLE_API_KEY ? { apiKey: env.OPENAI_COMPATIBLE_API_KEY } : {}),
          ...(this.setup.timeoutMs !== undefined ? { timeoutMs: this.setup.timeoutMs } : {}),
          ...(offline ? { retryBaseMs: 20 } : {}),
        });
      }
      default:
        throw new UsageError('provider_unavailable', `provider ${provider} is not available in this version of synthforge`);
    }
  }
}

function requireKey(env: Record<string, string | undefined>, provider: ProviderId): string {
  for (const name of KEY_VARIABLES[provider]) {
    const value = env[name];
    if (value) return value;
  }
  throw new MissingCredentialsError(provider, KEY_VARIABLES[provider]);
}

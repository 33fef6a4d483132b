/**
 * Which queue a batch step's shards wait in, and how much of it the engine may fill.
 *
 * Providers cap the work waiting in their queue at once (OpenAI and Gemini: enqueued input tokens per
 * model; Anthropic: requests not yet processed, all models together). The cap depends on the account
 * and cannot be read through the APIs, so it comes from, most specific first:
 *   1. the environment, `SYNTHFORGE_QUEUE_LIMITS="openai/gpt-4o-mini=2000000,anthropic=none"` (an
 *      account setting: the same recipe runs under several accounts);
 *   2. the recipe's `queue_limits` (same keys);
 *   3. the provider's default (`ProviderCapabilities.queue`).
 * A `provider/model` key wins over a `provider` key from the same place. `none` or 0: no limit.
 */
import { PROVIDER_IDS, type ModelRef, type ProviderId } from '../domain.js';
import { UsageError } from '../errors.js';
import { didYouMean } from '../issues.js';
import type { ProviderCapabilities, QueueTraits } from '../providers/batch-provider.js';

export const QUEUE_LIMITS_VARIABLE = 'SYNTHFORGE_QUEUE_LIMITS';

/**
 * The share of a token limit the engine fills: it counts tokens with its own estimate, the provider
 * counts its own way (images, tools and message framing are not documented), so it stays below.
 */
export const TOKEN_LIMIT_SHARE = 0.9;

export type QueueLimitValue = number | 'none';

export interface StepQueue {
  /** `openai/gpt-4o-mini`, or `anthropic` for a queue every model of the provider shares. */
  name: string;
  unit: QueueTraits['unit'];
  /** The limit as configured; undefined for none (the run still learns the room from refusals). */
  limit?: number;
  /** What the engine keeps in flight at most: the limit, less the margin for token limits; Infinity for none. */
  room: number;
  source: 'environment' | 'recipe' | 'default';
}

/** The queue a step's shards wait in; undefined when its provider has none. */
export function stepQueue(
  capabilities: ProviderCapabilities,
  model: ModelRef,
  recipeLimits: Readonly<Record<string, QueueLimitValue>> | undefined,
  env: Record<string, string | undefined>,
): StepQueue | undefined {
  const traits = capabilities.queue;
  if (!traits) return undefined;
  const name = traits.scope === 'model' ? `${model.provider}/${model.model}` : model.provider;
  const fromEnv = parseQueueLimits(env[QUEUE_LIMITS_VARIABLE]);
  const keys = traits.scope === 'model' ? [name, model.provider] : [model.provider];
  const found =
    pick(fromEnv, keys, 'environment') ??
    pick(recipeLimits ?? {}, keys, 'recipe') ?? { value: traits.defaultLimit(model.model) ?? ('none' as const), source: 'default' as const };
  if (found.value === 'none' || found.value === 0) return { name, unit: traits.unit, room: Infinity, source: found.source };
  const room = traits.unit === 'input_tokens' ? Math.max(1, Math.floor(found.value * TOKEN_LIMIT_SHARE)) : found.value;
  return { name, unit: traits.unit, limit: found.value, room, source: found.source };
}

function pick(
  limits: Readonly<Record<string, QueueLimitValue>>,
  keys: string[],
  source: StepQueue['source'],
): { value: QueueLimitValue; source: StepQueue['source'] } | undefined {
  for (const key of keys) if (Object.hasOwn(limits, key)) return { value: limits[key]!, source };
  return undefined;
}

/** `openai/gpt-4o-mini=2000000,anthropic=none` (spaces allowed); throws UsageError naming the variable. */
export function parseQueueLimits(text: string | undefined): Record<string, QueueLimitValue> {
  const limits: Record<string, QueueLimitValue> = {};
  if (!text?.trim()) return limits;
  for (const entry of text.split(',')) {
    const match = /^\s*([^=\s]+)\s*=\s*(\S+)\s*$/.exec(entry);
    const value = match ? parseValue(match[2]!) : undefined;
    if (!match || value === undefined) {
      throw new UsageError(
        'queue_limits_invalid',
        `${QUEUE_LIMITS_VARIABLE}: "${entry.trim()}" is not a queue limit; expected <provider>[/<model>]=<whole number ≥ 0 or none>, entries separated by commas`,
      );
    }
    const problem = keyProblem(match[1]!);
    if (problem) throw new UsageError('queue_limits_invalid', `${QUEUE_LIMITS_VARIABLE}: ${problem}`);
    limits[match[1]!] = value;
  }
  return limits;
}

function parseValue(text: string): QueueLimitValue | undefined {
  if (text === 'none') return 'none';
  const digits = text.replace(/_/g, '');
  return /^\d+$/.test(digits) ? Number(digits) : undefined;
}

/** Why a `queue_limits` key names no provider's queue, or undefined when it does. */
export function keyProblem(key: string, capabilities?: (provider: ProviderId) => ProviderCapabilities): string | undefined {
  const [provider, ...rest] = key.split('/');
  const model = rest.join('/');
  if (!(PROVIDER_IDS as readonly string[]).includes(provider!)) {
    const hint = didYouMean(provider!, PROVIDER_IDS);
    return `unknown provider "${provider}" in "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; expected <provider> or <provider>/<model> with a provider among ${PROVIDER_IDS.join(', ')}`;
  }
  if (rest.length > 0 && model === '') return `"${key}" names no model; write "${provider}" for all of its models`;
  const traits = capabilities?.(provider as ProviderId).queue;
  if (capabilities && !traits) return `${provider} has no batch queue (its requests run as they are sent), so "${key}" limits nothing`;
  if (traits?.scope === 'provider' && model !== '') {
    return `${provider}'s queue is shared by all of its models; write "${provider}" instead of "${key}"`;
  }
  return undefined;
}

/** Issues of a recipe's `queue_limits` keys, for compile-recipe to report at file:line. */
export function queueLimitIssues(
  limits: Readonly<Record<string, QueueLimitValue>> | undefined,
  capabilities: (provider: ProviderId) => ProviderCapabilities,
): { path: (string | number)[]; message: string }[] {
  return Object.keys(limits ?? {}).flatMap((key) => {
    const problem = keyProblem(key, capabilities);
    return problem ? [{ path: ['queue_limits', key], message: problem }] : [];
  });
}

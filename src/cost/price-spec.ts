/**
 * The recipe's `prices:` block: prices for models the table does not know, or corrections to it.
 *
 *   prices:
 *     "openai/gpt-4o-mini": { input: 0.15, output: 0.60, cached_input: 0.075 }
 *     "openai-compatible/llama-3.1-8b": { input: 0.02, output: 0.05 }
 *
 * USD per million tokens. `batch_*` default to half of the synchronous figure for openai, anthropic
 * and gemini, and to the synchronous figure for openai-compatible servers (no known batch discount).
 */
import { z } from 'zod';
import { PROVIDER_IDS } from '../domain.js';

const usdPerMillion = z.number().nonnegative().finite();

export const priceOverrideSchema = z.strictObject({
  input: usdPerMillion,
  output: usdPerMillion,
  cached_input: usdPerMillion.optional(),
  batch_input: usdPerMillion.optional(),
  batch_output: usdPerMillion.optional(),
  batch_cached_input: usdPerMillion.optional(),
});

export type PriceOverride = z.output<typeof priceOverrideSchema>;
export type PriceOverrides = Readonly<Record<string, PriceOverride>>;

const KEY = /^([a-z-]+)\/(\S+)$/;

export const priceOverridesSchema = z.record(z.string(), priceOverrideSchema).superRefine((overrides, context) => {
  for (const key of Object.keys(overrides)) {
    const match = KEY.exec(key);
    if (!match) {
      context.addIssue({ code: 'custom', path: [key], message: `expected "<provider>/<model>", e.g. "openai/gpt-4o-mini"; got "${key}"` });
    } else if (!(PROVIDER_IDS as readonly string[]).includes(match[1]!)) {
      context.addIssue({ code: 'custom', path: [key], message: `unknown provider "${match[1]}"; expected one of: ${PROVIDER_IDS.join(', ')}` });
    }
  }
});

/**
 * List prices in USD per million tokens, synchronous and batch, for the models recipes usually name.
 * A run records `PRICE_TABLE_VERSION` next to every cost figure, so a cost can always be traced to
 * the table it came from: no cost is ever a silent estimate from an unversioned table. Bump the
 * version whenever a figure changes.
 *
 * Sources, read 2026-11-27:
 * - Anthropic [official]: platform.claude.com/docs/en/about-claude/pricing (model table: base input,
 *   cache hits, output) and docs.anthropic.com/en/docs/build-with-claude/batch-processing (batch
 *   table, 50% of every usage type; cache multipliers stack on the batch price, so a cached token
 *   in a batch costs half the cached price).
 * - OpenAI: official model pages where a copy was at hand (gpt-5-nano, gpt-5.4-nano); otherwise
 *   [third party, quoting developers.openai.com/api/docs/pricing]: deploybase.ai "OpenAI pricing"
 *   (March 2026) for input/output, cross-checked with outl1ne/openai-pricing pricing.json, github/docs
 *   copilot/models-and-pricing.yml (gpt-4.1) and chatgptpricing (embeddings, batch). Batch is 50% of
 *   input and output [official].
 * - Gemini [third party, quoting ai.google.dev/gemini-api/docs/pricing]: deploybase.ai "Gemini API
 *   pricing" (March 2026) and hivebook's Gemini 2.5 page; embedding price from Google's launch post
 *   (quoted in simonw/llm-gemini#102). Batch is 50% of standard [official].
 * Figures marked UNVERIFIED are best-known values that no source above confirmed.
 *
 * Not modelled: long-context tiers (prompts over 200k tokens cost more on gemini-2.5-pro and on
 * Claude Sonnet 4.x with the 1M context), Anthropic cache writes (1.25x / 2x input), audio and image
 * tokens, priority and flex tiers. Reasoning tokens are billed as output, which costOf already does.
 */
import type { ProviderId } from '../domain.js';

export const PRICE_TABLE_VERSION = '2026-11-27';
/** The date the figures were last checked against the sources above. */
export const PRICES_AS_OF = '2026-11-27';

/** USD per million tokens. `cachedInput` absent: cached tokens cost the full input price. */
export interface ModelPrice {
  input: number;
  output: number;
  cachedInput?: number;
}

export interface ModelPricing {
  sync: ModelPrice;
  batch: ModelPrice;
}

const BATCH_DISCOUNT = 0.5;

/**
 * Batch = half of every synchronous figure. `cachedBatch` says what a cached token costs in a batch:
 * 'half' (the discounts stack), 'same' (they do not: the cached price applies unchanged).
 */
function priced(input: number, output: number, cachedInput?: number, cachedBatch: 'half' | 'same' = 'half'): ModelPricing {
  const sync: ModelPrice = cachedInput === undefined ? { input, output } : { input, output, cachedInput };
  const batch: ModelPrice = { input: input * BATCH_DISCOUNT, output: output * BATCH_DISCOUNT };
  if (cachedInput !== undefined) batch.cachedInput = cachedBatch === 'half' ? cachedInput * BATCH_DISCOUNT : cachedInput;
  return { sync, batch };
}

// OpenAI: cached input in batch is listed per model on the batch pricing table, of which only an
// excerpt was at hand, so "half of the cached price" is UNVERIFIED for every OpenAI row.
const OPENAI: Readonly<Record<string, ModelPricing>> = {
  'gpt-4o': priced(2.5, 10, 1.25),
  // The first gpt-4o snapshot kept its launch price.
  'gpt-4o-2024-05-13': priced(5, 15),
  'gpt-4o-mini': priced(0.15, 0.6, 0.075),
  'gpt-4.1': priced(2, 8, 0.5),
  'gpt-4.1-mini': priced(0.4, 1.6, 0.1),
  'gpt-4.1-nano': priced(0.1, 0.4, 0.025),
  // o3 after the June 2025 price cut; cached 0.50 is UNVERIFIED (best known).
  o3: priced(2, 8, 0.5),
  'o4-mini': priced(1.1, 4.4, 0.275),
  'gpt-5': priced(1.25, 10, 0.125),
  'gpt-5-mini': priced(0.25, 2, 0.025),
  // gpt-5-nano: official model page (developers.openai.com/api/docs/models/gpt-5-nano), now deprecated.
  'gpt-5-nano': priced(0.05, 0.4, 0.005),
  // Newer models, added because several sources agree: gpt-5.4-nano from its official model page;
  // gpt-5.4 and gpt-5.4-mini from three third-party tables (adk-model, morphllm, ShellPilot) and
  // OpenAI's own comparison widget; gpt-5.2 from github/docs (Copilot price table) and two others;
  // gpt-5.1 from deploybase, its cached price UNVERIFIED (assumed as gpt-5).
  'gpt-5.1': priced(1.25, 10, 0.125),
  'gpt-5.2': priced(1.75, 14, 0.175),
  'gpt-5.4': priced(2.5, 15, 0.25),
  'gpt-5.4-mini': priced(0.75, 4.5, 0.075),
  'gpt-5.4-nano': priced(0.2, 1.25, 0.02),
  'text-embedding-3-small': priced(0.02, 0),
  'text-embedding-3-large': priced(0.13, 0),
};

const ANTHROPIC: Readonly<Record<string, ModelPricing>> = {
  'claude-opus-4': priced(15, 75, 1.5),
  'claude-opus-4-1': priced(15, 75, 1.5),
  'claude-opus-4-5': priced(5, 25, 0.5),
  'claude-opus-4-6': priced(5, 25, 0.5),
  'claude-opus-4-7': priced(5, 25, 0.5),
  'claude-opus-4-8': priced(5, 25, 0.5),
  'claude-sonnet-4': priced(3, 15, 0.3),
  'claude-sonnet-4-5': priced(3, 15, 0.3),
  'claude-sonnet-4-6': priced(3, 15, 0.3),
  'claude-haiku-4-5': priced(1, 5, 0.1),
  'claude-3-5-haiku': priced(0.8, 4, 0.08),
};

// Gemini: whether context-cache pricing stacks with batch on the Gemini API is UNVERIFIED; on Vertex
// it does not, so cached tokens keep their synchronous price in batch ('same').
const GEMINI: Readonly<Record<string, ModelPricing>> = {
  'gemini-2.5-pro': priced(1.25, 10, 0.125, 'same'),
  'gemini-2.5-flash': priced(0.3, 2.5, 0.03, 'same'),
  'gemini-2.5-flash-lite': priced(0.1, 0.4, 0.01, 'same'),
  // Batch 0.075 follows the 50% rule; UNVERIFIED for embeddings.
  'gemini-embedding': priced(0.15, 0),
};

/** Local openai-compatible servers publish no prices: a recipe price, or free. */
export const PRICE_TABLE: Readonly<Record<ProviderId, Readonly<Record<string, ModelPricing>>>> = {
  openai: OPENAI,
  anthropic: ANTHROPIC,
  gemini: GEMINI,
  'openai-compatible': {},
};

/** Names that point at a table row but are neither the row's id nor a dated snapshot of it. */
const ALIASES: Readonly<Record<ProviderId, Readonly<Record<string, string>>>> = {
  openai: {
    'gpt-5-chat-latest': 'gpt-5',
  },
  anthropic: {
    'claude-3-5-haiku-latest': 'claude-3-5-haiku',
    'claude-opus-4-0': 'claude-opus-4',
    'claude-sonnet-4-0': 'claude-sonnet-4',
    'claude-opus-4-latest': 'claude-opus-4',
    'claude-sonnet-4-latest': 'claude-sonnet-4',
  },
  gemini: {
    'gemini-2.5-flash-latest': 'gemini-2.5-flash',
    'gemini-2.5-flash-lite-latest': 'gemini-2.5-flash-lite',
    'gemini-2.5-pro-latest': 'gemini-2.5-pro',
  },
  'openai-compatible': {},
};

/**
 * Suffixes that mark a pinned snapshot of a model: the snapshot costs what the model costs. Gemini
 * `-preview-MM-DD` ids are deliberately not here: previews were priced apart from the GA model
 * (gemini-2.5-flash previews had a separate thinking price), so they need a recipe price.
 */
const SNAPSHOT_SUFFIXES: Readonly<Record<ProviderId, readonly RegExp[]>> = {
  openai: [/-\d{4}-\d{2}-\d{2}$/],
  anthropic: [/-\d{8}$/],
  gemini: [/-\d{3}$/],
  // A local model's name is whatever the server calls it: a date in it is part of the name.
  'openai-compatible': [],
};

export type PriceLookup = { key: string; pricing: ModelPricing };

/**
 * Finds a model's row: the exact id, then the id without a snapshot suffix
 * (`gpt-4o-mini-2024-07-18` → `gpt-4o-mini`), then an alias (`claude-3-5-haiku-latest`). `id` is
 * the model as the table spells it (`CostTraits.priceId`). Unknown models give `undefined`, never a
 * zero price.
 */
export function lookupTablePrice(provider: ProviderId, id: string): PriceLookup | undefined {
  const table = PRICE_TABLE[provider];
  for (const key of candidateIds(provider, id)) {
    const pricing = Object.hasOwn(table, key) ? table[key] : undefined;
    if (pricing) return { key, pricing };
  }
  return undefined;
}

/** The ids to try for a model, most specific first. Also used to match recipe price overrides. */
export function candidateIds(provider: ProviderId, id: string): string[] {
  const withoutSnapshot = SNAPSHOT_SUFFIXES[provider].reduce((name, suffix) => name.replace(suffix, ''), id);
  const aliases = ALIASES[provider];
  const alias = (name: string): string | undefined => (Object.hasOwn(aliases, name) ? aliases[name] : undefined);
  const candidates = [id, withoutSnapshot, alias(id), alias(withoutSnapshot)];
  return [...new Set(candidates.filter((candidate): candidate is string => candidate !== undefined))];
}

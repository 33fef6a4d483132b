/**
 * The models each hosted provider serves, in one dated table: id, kind (chat or embedding), list
 * prices (USD per million tokens, synchronous and batch), the date the price was checked, the other
 * names the API takes for the same model (dated snapshots, `-latest`, `-0`), and deprecation where
 * known. Prices (`price-table.ts`, `resolve-price.ts`), recipe validation (`validate` refuses a model
 * that is not here, with a did-you-mean) and the emulator (which answers 404 for anything else, as
 * the real APIs do) all read this table, so they can never disagree about what exists.
 *
 * A run records `MODEL_CATALOGUE_VERSION` next to every cost figure, so a cost can always be traced
 * to the table it came from. Bump it whenever a row changes.
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
 *   input and output [official]. Snapshot names from the same model pages.
 * - Gemini [third party, quoting ai.google.dev/gemini-api/docs/pricing]: deploybase.ai "Gemini API
 *   pricing" (March 2026) and hivebook's Gemini 2.5 page; embedding price from Google's launch post
 *   (quoted in simonw/llm-gemini#102). Batch is 50% of standard [official].
 * Figures marked UNVERIFIED are best-known values that no source above confirmed.
 *
 * Not modelled: long-context tiers (prompts over 200k tokens cost more on gemini-2.5-pro and on
 * Claude Sonnet 4.x with the 1M context), Anthropic cache writes (1.25x / 2x input), audio and image
 * tokens, priority and flex tiers. Reasoning tokens are billed as output, which costOf already does.
 * Local openai-compatible servers serve whatever they were started with: they have no rows.
 */
import type { ProviderId } from '../domain.js';

export const MODEL_CATALOGUE_VERSION = '2026-11-27';
/** When the rows were last checked against the sources above (each row says its own date too). */
const CHECKED = '2026-11-27';

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

export type ModelKind = 'chat' | 'embedding';

export interface CatalogueModel {
  /** The name the API takes, and the key of its price (`gpt-4o-mini`). */
  id: string;
  kind: ModelKind;
  pricing: ModelPricing;
  /** The date the price was last checked against a source (YYYY-MM-DD). */
  priceChecked: string;
  /** Other names the API takes for this model: dated snapshots, `-latest` and `-0` aliases. */
  aliases: readonly string[];
  /** Set when the provider lists the model as deprecated: what it said, and when we read it. */
  deprecated?: string;
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

type RowOptions = { aliases?: readonly string[]; deprecated?: string; checked?: string };

function chat(id: string, pricing: ModelPricing, options: RowOptions = {}): CatalogueModel {
  return row(id, 'chat', pricing, options);
}

function embedding(id: string, pricing: ModelPricing, options: RowOptions = {}): CatalogueModel {
  return row(id, 'embedding', pricing, options);
}

function row(id: string, kind: ModelKind, pricing: ModelPricing, options: RowOptions): CatalogueModel {
  return {
    id,
    kind,
    pricing,
    priceChecked: options.checked ?? CHECKED,
    aliases: options.aliases ?? [],
    ...(options.deprecated ? { deprecated: options.deprecated } : {}),
  };
}

// OpenAI: cached input in batch is listed per model on the batch pricing table, of which only an
// excerpt was at hand, so "half of the cached price" is UNVERIFIED for every OpenAI row.
const OPENAI: readonly CatalogueModel[] = [
  chat('gpt-4o', priced(2.5, 10, 1.25), { aliases: ['gpt-4o-2024-08-06', 'gpt-4o-2024-11-20'] }),
  // The first gpt-4o snapshot kept its launch price.
  chat('gpt-4o-2024-05-13', priced(5, 15)),
  chat('gpt-4o-mini', priced(0.15, 0.6, 0.075), { aliases: ['gpt-4o-mini-2024-07-18'] }),
  chat('gpt-4.1', priced(2, 8, 0.5), { aliases: ['gpt-4.1-2025-04-14'] }),
  chat('gpt-4.1-mini', priced(0.4, 1.6, 0.1), { aliases: ['gpt-4.1-mini-2025-04-14'] }),
  chat('gpt-4.1-nano', priced(0.1, 0.4, 0.025), { aliases: ['gpt-4.1-nano-2025-04-14'] }),
  // o3 after the June 2025 price cut; cached 0.50 is UNVERIFIED (best known).
  chat('o3', priced(2, 8, 0.5), { aliases: ['o3-2025-04-16'] }),
  chat('o4-mini', priced(1.1, 4.4, 0.275), { aliases: ['o4-mini-2025-04-16'] }),
  chat('gpt-5', priced(1.25, 10, 0.125), { aliases: ['gpt-5-2025-08-07', 'gpt-5-chat-latest'] }),
  chat('gpt-5-mini', priced(0.25, 2, 0.025), { aliases: ['gpt-5-mini-2025-08-07'] }),
  // gpt-5-nano: official model page (developers.openai.com/api/docs/models/gpt-5-nano).
  chat('gpt-5-nano', priced(0.05, 0.4, 0.005), {
    aliases: ['gpt-5-nano-2025-08-07'],
    deprecated: 'its model page lists it as deprecated (read 2026-11-27)',
  }),
  // Newer models, added because several sources agree: gpt-5.4-nano from its official model page;
  // gpt-5.4 and gpt-5.4-mini from three third-party tables (adk-model, morphllm, ShellPilot) and
  // OpenAI's own comparison widget; gpt-5.2 from github/docs (Copilot price table) and two others;
  // gpt-5.1 from deploybase, its cached price UNVERIFIED (assumed as gpt-5).
  chat('gpt-5.1', priced(1.25, 10, 0.125)),
  chat('gpt-5.2', priced(1.75, 14, 0.175)),
  chat('gpt-5.4', priced(2.5, 15, 0.25)),
  chat('gpt-5.4-mini', priced(0.75, 4.5, 0.075)),
  chat('gpt-5.4-nano', priced(0.2, 1.25, 0.02)),
  embedding('text-embedding-3-small', priced(0.02, 0)),
  embedding('text-embedding-3-large', priced(0.13, 0)),
];

const ANTHROPIC: readonly CatalogueModel[] = [
  chat('claude-opus-4', priced(15, 75, 1.5), { aliases: ['claude-opus-4-0', 'claude-opus-4-20250514', 'claude-opus-4-latest'] }),
  chat('claude-opus-4-1', priced(15, 75, 1.5), { aliases: ['claude-opus-4-1-20250805'] }),
  chat('claude-opus-4-5', priced(5, 25, 0.5), { aliases: ['claude-opus-4-5-20251101'] }),
  chat('claude-opus-4-6', priced(5, 25, 0.5)),
  chat('claude-opus-4-7', priced(5, 25, 0.5)),
  chat('claude-opus-4-8', priced(5, 25, 0.5)),
  chat('claude-sonnet-4', priced(3, 15, 0.3), { aliases: ['claude-sonnet-4-0', 'claude-sonnet-4-20250514', 'claude-sonnet-4-latest'] }),
  chat('claude-sonnet-4-5', priced(3, 15, 0.3), { aliases: ['claude-sonnet-4-5-20250929'] }),
  chat('claude-sonnet-4-6', priced(3, 15, 0.3)),
  chat('claude-haiku-4-5', priced(1, 5, 0.1), { aliases: ['claude-haiku-4-5-20251001'] }),
  chat('claude-3-5-haiku', priced(0.8, 4, 0.08), { aliases: ['claude-3-5-haiku-20241022', 'claude-3-5-haiku-latest'] }),
];

// Gemini: whether context-cache pricing stacks with batch on the Gemini API is UNVERIFIED; on Vertex
// it does not, so cached tokens keep their synchronous price in batch ('same').
const GEMINI: readonly CatalogueModel[] = [
  chat('gemini-2.5-pro', priced(1.25, 10, 0.125, 'same'), { aliases: ['gemini-2.5-pro-latest'] }),
  chat('gemini-2.5-flash', priced(0.3, 2.5, 0.03, 'same'), { aliases: ['gemini-2.5-flash-latest'] }),
  chat('gemini-2.5-flash-lite', priced(0.1, 0.4, 0.01, 'same'), { aliases: ['gemini-2.5-flash-lite-latest'] }),
  // Batch 0.075 follows the 50% rule; UNVERIFIED for embeddings.
  embedding('gemini-embedding-001', priced(0.15, 0)),
];

export const MODEL_CATALOGUE: Readonly<Record<ProviderId, readonly CatalogueModel[]>> = {
  openai: OPENAI,
  anthropic: ANTHROPIC,
  gemini: GEMINI,
  'openai-compatible': [],
};

/**
 * Suffixes that mark a pinned snapshot of a model: an unlisted snapshot of a listed model is that
 * model, at its price. Gemini `-preview-MM-DD` ids are deliberately not here: previews were priced
 * apart from the GA model (gemini-2.5-flash previews had a separate thinking price).
 */
const SNAPSHOT_SUFFIXES: Readonly<Record<ProviderId, readonly RegExp[]>> = {
  openai: [/-\d{4}-\d{2}-\d{2}$/],
  anthropic: [/-\d{8}$/],
  gemini: [/-\d{3}$/],
  // A local model's name is whatever the server calls it: a date in it is part of the name.
  'openai-compatible': [],
};

/** How a name was found: the row's id, one of its listed aliases, or an unlisted snapshot of it. */
export interface CatalogueMatch {
  model: CatalogueModel;
  via: 'id' | 'alias' | 'snapshot';
}

const BY_NAME = new Map<ProviderId, Map<string, CatalogueMatch>>(
  Object.entries(MODEL_CATALOGUE).map(([provider, models]) => {
    const names = new Map<string, CatalogueMatch>();
    for (const model of models) for (const alias of model.aliases) names.set(alias, { model, via: 'alias' });
    // Ids last, so a snapshot with its own row (gpt-4o-2024-05-13) is found as itself.
    for (const model of models) names.set(model.id, { model, via: 'id' });
    return [provider as ProviderId, names];
  }),
);

/** `name` without its snapshot suffix (`gpt-4o-mini-2025-01-01` → `gpt-4o-mini`), or `name` when it has none. */
export function withoutSnapshot(provider: ProviderId, name: string): string {
  return SNAPSHOT_SUFFIXES[provider].reduce((stripped, suffix) => stripped.replace(suffix, ''), name);
}

/**
 * The catalogue row a model name means: its id or a listed alias, else an unlisted dated snapshot of
 * a listed name. `name` is the model as the table spells it (no Gemini `models/` prefix).
 */
export function findCatalogueModel(provider: ProviderId, name: string): CatalogueMatch | undefined {
  const names = BY_NAME.get(provider)!;
  const listed = names.get(name);
  if (listed) return listed;
  const family = withoutSnapshot(provider, name);
  const match = family === name ? undefined : names.get(family);
  return match ? { model: match.model, via: 'snapshot' } : undefined;
}

/** Every name a provider's rows answer to (ids and aliases), for did-you-mean hints and model lists. */
export function catalogueNames(provider: ProviderId, kind?: ModelKind): string[] {
  return MODEL_CATALOGUE[provider].filter((model) => kind === undefined || model.kind === kind).flatMap((model) => [model.id, ...model.aliases]);
}

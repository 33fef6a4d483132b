/**
 * Prices by model, read from the model catalogue (`model-catalogue.ts`, where the figures, their
 * sources and their dates live): the table's rows keyed by id, the lookup a price resolution starts
 * from, and the names a recipe's `prices:` entry may match.
 */
import type { ProviderId } from '../domain.js';
import { findCatalogueModel, MODEL_CATALOGUE, MODEL_CATALOGUE_VERSION, withoutSnapshot, type ModelPricing } from './model-catalogue.js';

export type { ModelPrice, ModelPricing } from './model-catalogue.js';

/** Recorded next to every cost figure: the catalogue the price came from. */
export const PRICE_TABLE_VERSION = MODEL_CATALOGUE_VERSION;
/** The date the figures were last checked (each catalogue row carries its own). */
export const PRICES_AS_OF = MODEL_CATALOGUE_VERSION;

/** Local openai-compatible servers publish no prices: a recipe price, or free. */
export const PRICE_TABLE: Readonly<Record<ProviderId, Readonly<Record<string, ModelPricing>>>> = Object.fromEntries(
  Object.entries(MODEL_CATALOGUE).map(([provider, models]) => [provider, Object.fromEntries(models.map((model) => [model.id, model.pricing]))]),
) as Record<ProviderId, Record<string, ModelPricing>>;

export type PriceLookup = { key: string; pricing: ModelPricing };

/**
 * Finds a model's row: the exact id, an alias (`claude-3-5-haiku-latest`, a listed snapshot), then
 * the id without a snapshot suffix (`gpt-4o-mini-2025-01-01` → `gpt-4o-mini`). `id` is the model as
 * the table spells it (`CostTraits.priceId`). Unknown models give `undefined`, never a zero price.
 */
export function lookupTablePrice(provider: ProviderId, id: string): PriceLookup | undefined {
  const match = findCatalogueModel(provider, id);
  return match ? { key: match.model.id, pricing: match.model.pricing } : undefined;
}

/** The ids a recipe price override may be written under for a model, most specific first. */
export function candidateIds(provider: ProviderId, id: string): string[] {
  const stripped = withoutSnapshot(provider, id);
  const rowOf = (name: string): string | undefined => findCatalogueModel(provider, name)?.model.id;
  const candidates = [id, stripped, rowOf(id), rowOf(stripped)];
  return [...new Set(candidates.filter((candidate): candidate is string => candidate !== undefined))];
}

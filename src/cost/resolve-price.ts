import type { ModelRef } from '../domain.js';
import type { CostTraits } from './cost-traits.js';
import type { PriceOverride, PriceOverrides } from './price-spec.js';
import { candidateIds, lookupTablePrice, PRICE_TABLE_VERSION, type ModelPrice, type ModelPricing } from './price-table.js';

export type PriceSource = 'recipe' | 'table' | 'local';

export interface ResolvedPrice extends ModelPricing {
  source: PriceSource;
  /** `provider/model` of the recipe entry or table row that matched. */
  key: string;
  /** Set when the figures come from the built-in table, for the manifest. */
  priceTableVersion?: string;
}

const FREE: ModelPrice = Object.freeze({ input: 0, output: 0, cachedInput: 0 });

/**
 * The price of a model: a recipe `prices:` entry first (matched on the exact id, then on the id
 * without its snapshot suffix or through an alias), then zero for a local server, then the built-in
 * table. `undefined` means nobody knows: the caller reports "no price known for <provider>/<model>;
 * pass prices in the recipe" instead of assuming zero.
 */
export function resolvePrice(model: ModelRef, traits: CostTraits, overrides?: PriceOverrides): ResolvedPrice | undefined {
  const { provider } = model;
  const id = traits.priceId(model.model);
  if (overrides) {
    for (const candidate of candidateIds(provider, id)) {
      const key = `${provider}/${candidate}`;
      const override = Object.hasOwn(overrides, key) ? overrides[key] : undefined;
      if (override) return { ...pricingFromOverride(override, traits.batchPriceFactor), source: 'recipe', key };
    }
  }
  if (traits.local) return { sync: FREE, batch: FREE, source: 'local', key: `${provider}/${id}` };
  const row = lookupTablePrice(provider, id);
  if (!row) return undefined;
  return { ...row.pricing, source: 'table', key: `${provider}/${row.key}`, priceTableVersion: PRICE_TABLE_VERSION };
}

/** Batch figures the override leaves out are its synchronous figures times the provider's batch factor. */
function pricingFromOverride(override: PriceOverride, batchFactor: number): ModelPricing {
  const sync: ModelPrice = { input: override.input, output: override.output };
  if (override.cached_input !== undefined) sync.cachedInput = override.cached_input;
  const batch: ModelPrice = {
    input: override.batch_input ?? override.input * batchFactor,
    output: override.batch_output ?? override.output * batchFactor,
  };
  const batchCached = override.batch_cached_input ?? (override.cached_input === undefined ? undefined : override.cached_input * batchFactor);
  if (batchCached !== undefined) batch.cachedInput = batchCached;
  return { sync, batch };
}

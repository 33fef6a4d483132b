/**
 * Cost arithmetic. Prices are USD per million tokens; a usage's `inputTokens` counts every input
 * token, cached ones included, and `cachedInputTokens` says how many of them were cache reads
 * (OpenAI's and Gemini's convention; an Anthropic adapter adds its cache reads into inputTokens).
 */
import type { ModelRef, TokenUsage } from '../domain.js';
import { PRICE_TABLE_VERSION, type ModelPricing } from './price-table.js';
import type { PriceSource, ResolvedPrice } from './resolve-price.js';

export type CostMode = 'batch' | 'sync';

const PER_MILLION = 1_000_000;

/** USD for one usage at the given mode's prices. */
export function costOf(usage: TokenUsage, price: ModelPricing, mode: CostMode): number {
  const rates = price[mode];
  const cached = Math.min(Math.max(usage.cachedInputTokens ?? 0, 0), usage.inputTokens);
  const uncached = usage.inputTokens - cached;
  return (uncached * rates.input + cached * (rates.cachedInput ?? rates.input) + usage.outputTokens * rates.output) / PER_MILLION;
}

export interface StepCostEstimate {
  step: string;
  provider: ModelRef['provider'];
  model: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  /** `null` when no price is known: left empty rather than guessed, so an unknown cost never reads as zero. */
  batchUsd: number | null;
  syncUsd: number | null;
  /** syncUsd − batchUsd: what batching saves. */
  savingsUsd: number | null;
  price: { source: PriceSource; key: string } | null;
}

export interface RunCostEstimate {
  steps: StepCostEstimate[];
  /** Totals are `null` when any step has no known price; `unpriced` names those models. */
  batchUsd: number | null;
  syncUsd: number | null;
  savingsUsd: number | null;
  unpriced: string[];
  priceTableVersion: string;
}

export function estimateStepCost(input: {
  step: string;
  model: ModelRef;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  price: ResolvedPrice | undefined;
}): StepCostEstimate {
  const { step, model, requests, inputTokens, outputTokens, price } = input;
  const base = { step, provider: model.provider, model: model.model, requests, inputTokens, outputTokens };
  if (!price) return { ...base, batchUsd: null, syncUsd: null, savingsUsd: null, price: null };
  const usage = { inputTokens, outputTokens };
  const batchUsd = roundUsd(costOf(usage, price, 'batch'));
  const syncUsd = roundUsd(costOf(usage, price, 'sync'));
  return { ...base, batchUsd, syncUsd, savingsUsd: roundUsd(syncUsd - batchUsd), price: { source: price.source, key: price.key } };
}

export function estimateRunCost(steps: StepCostEstimate[]): RunCostEstimate {
  const unpriced = [...new Set(steps.filter((step) => step.batchUsd === null).map((step) => `${step.provider}/${step.model}`))];
  const total = (pick: (step: StepCostEstimate) => number | null): number | null =>
    unpriced.length > 0 ? null : roundUsd(steps.reduce((sum, step) => sum + (pick(step) ?? 0), 0));
  return {
    steps,
    batchUsd: total((step) => step.batchUsd),
    syncUsd: total((step) => step.syncUsd),
    savingsUsd: total((step) => step.savingsUsd),
    unpriced,
    priceTableVersion: PRICE_TABLE_VERSION,
  };
}

/** Rounds to a hundred-millionth of a dollar: enough for one short request, without float noise. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e8) / 1e8;
}

/** `$12.34`, `$0.0042`, `$0.000042`: two decimals from a dollar up, more below. */
export function formatUsd(usd: number): string {
  const sign = usd < 0 ? '-' : '';
  const amount = Math.abs(usd);
  if (amount === 0) return '$0.00';
  if (amount >= 1) return `${sign}$${amount.toFixed(2)}`;
  if (amount >= 0.0001) return `${sign}$${amount.toFixed(4)}`;
  return `${sign}$${amount.toPrecision(2)}`;
}

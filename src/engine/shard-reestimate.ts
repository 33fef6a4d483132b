/**
 * The budget guard's estimate of a shard once the run has seen answers of its step: a shard's
 * `estimateUsd` is fixed when it is planned, from the tokenizer and the best output estimate known
 * then (observed answers, else the schema's shape). As this run's shards of the step are collected,
 * the ledger holds what their requests really used: the guard then prices a shard at that mean per
 * request, so a schema estimate many times too high stops holding back shards that fit the budget.
 */
import { costOf } from '../cost/cost.js';
import type { RunStore, ShardRow } from '../store/run-store.js';
import { isBatchStep, type CompiledRecipe } from './compile-recipe.js';
import { priceOfStep } from './step-pricing.js';

/** A shard's batch cost at the per-request usage this run has seen for its step; undefined before any. */
export function shardReestimator(store: RunStore, runId: string, compiled: CompiledRecipe): (shard: ShardRow) => number | undefined {
  return (shard) => {
    const step = compiled.steps.find((item) => item.step.index === shard.stepIndex);
    if (!step || !isBatchStep(step)) return undefined;
    const price = priceOfStep(step, compiled.recipe);
    if (!price) return undefined;
    const seen = store.ledgerTotals(runId, shard.stepIndex);
    if (seen.requests === 0) return undefined;
    const perRequest = (tokens: number): number => (tokens / seen.requests) * shard.requestCount;
    return costOf({ inputTokens: perRequest(seen.inputTokens), outputTokens: perRequest(seen.outputTokens), cachedInputTokens: perRequest(seen.cachedInputTokens) }, price, 'batch');
  };
}

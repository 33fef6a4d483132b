import { describe, expect, it } from 'vitest';
import { costOf, estimateRunCost, estimateStepCost, formatUsd, roundUsd } from '../../src/cost/cost.js';
import type { ModelPricing } from '../../src/cost/price-table.js';
import { resolvePrice } from '../../src/cost/resolve-price.js';
import { ANTHROPIC_COST_TRAITS } from '../../src/providers/anthropic/anthropic-capabilities.js';
import { OPENAI_COMPATIBLE_COST_TRAITS } from '../../src/providers/openai-compatible/openai-compatible-capabilities.js';
import { OPENAI_COST_TRAITS } from '../../src/providers/openai/openai-capabilities.js';

const PRICE: ModelPricing = {
  sync: { input: 2, output: 8, cachedInput: 0.5 },
  batch: { input: 1, output: 4, cachedInput: 0.25 },
};

describe('costOf', () => {
  it('multiplies tokens by USD per million', () => {
    expect(costOf({ inputTokens: 1_000_000, outputTokens: 1_000_000 }, PRICE, 'sync')).toBe(10);
    expect(costOf({ inputTokens: 1_000_000, outputTokens: 1_000_000 }, PRICE, 'batch')).toBe(5);
    expect(costOf({ inputTokens: 1000, outputTokens: 500 }, PRICE, 'sync')).toBeCloseTo(0.006, 12);
  });

  it('bills cached input tokens at the cached price, out of the input count', () => {
    // 600k fresh × $2 + 400k cached × $0.50 = $1.40.
    expect(costOf({ inputTokens: 1_000_000, cachedInputTokens: 400_000, outputTokens: 0 }, PRICE, 'sync')).toBeCloseTo(1.4, 12);
    expect(costOf({ inputTokens: 1_000_000, cachedInputTokens: 400_000, outputTokens: 0 }, PRICE, 'batch')).toBeCloseTo(0.7, 12);
  });

  it('bills cached tokens at the input price when no cached price is known', () => {
    const noCache: ModelPricing = { sync: { input: 2, output: 8 }, batch: { input: 1, output: 4 } };
    expect(costOf({ inputTokens: 1_000_000, cachedInputTokens: 400_000, outputTokens: 0 }, noCache, 'sync')).toBe(2);
  });

  it('never counts more cached tokens than input tokens', () => {
    expect(costOf({ inputTokens: 100, cachedInputTokens: 500, outputTokens: 0 }, PRICE, 'sync')).toBeCloseTo((100 * 0.5) / 1e6, 15);
  });

  it('costs nothing for a local model', () => {
    expect(costOf({ inputTokens: 5000, outputTokens: 5000 }, resolvePrice({ provider: 'openai-compatible', model: 'llama3' }, OPENAI_COMPATIBLE_COST_TRAITS)!, 'sync')).toBe(0);
  });
});

describe('estimateStepCost and estimateRunCost', () => {
  const generate = estimateStepCost({
    step: 'question',
    model: { provider: 'openai', model: 'gpt-4o-mini' },
    requests: 600,
    inputTokens: 600 * 50,
    outputTokens: 600 * 40,
    price: resolvePrice({ provider: 'openai', model: 'gpt-4o-mini' }, OPENAI_COST_TRAITS),
  });

  it('prices a step in both modes; savings = sync − batch', () => {
    // sync: 30k × 0.15 + 24k × 0.60 = 4500 + 14400 = 18900 µ$ → $0.0189; batch is half.
    expect(generate).toMatchObject({ step: 'question', provider: 'openai', model: 'gpt-4o-mini', requests: 600 });
    expect(generate.syncUsd).toBe(0.0189);
    expect(generate.batchUsd).toBe(0.00945);
    expect(generate.savingsUsd).toBe(0.00945);
    expect(generate.price).toEqual({ source: 'table', key: 'openai/gpt-4o-mini' });
  });

  it('leaves an unpriced step empty instead of guessing', () => {
    const unknown = estimateStepCost({
      step: 'answer',
      model: { provider: 'openai', model: 'gpt-unknown' },
      requests: 10,
      inputTokens: 100,
      outputTokens: 100,
      price: undefined,
    });
    expect(unknown).toMatchObject({ batchUsd: null, syncUsd: null, savingsUsd: null, price: null });
    const run = estimateRunCost([generate, unknown]);
    expect(run).toMatchObject({ batchUsd: null, syncUsd: null, savingsUsd: null, unpriced: ['openai/gpt-unknown'] });
  });

  it('totals priced steps and names the price table version', () => {
    const answer = estimateStepCost({
      step: 'answer',
      model: { provider: 'anthropic', model: 'claude-3-5-haiku-latest' },
      requests: 600,
      inputTokens: 1_000_000,
      outputTokens: 500_000,
      price: resolvePrice({ provider: 'anthropic', model: 'claude-3-5-haiku-latest' }, ANTHROPIC_COST_TRAITS),
    });
    // sync: 1M × 0.80 + 0.5M × 4 = $2.80; batch $1.40.
    expect(answer.syncUsd).toBe(2.8);
    const run = estimateRunCost([generate, answer]);
    expect(run.batchUsd).toBe(roundUsd(0.00945 + 1.4));
    expect(run.syncUsd).toBe(roundUsd(0.0189 + 2.8));
    expect(run.savingsUsd).toBe(roundUsd(run.syncUsd! - run.batchUsd!));
    expect(run.unpriced).toEqual([]);
    expect(run.priceTableVersion).toMatch(/^\d{4}-\d{2}-\d{2}/);
  });
});

describe('formatUsd', () => {
  it.each([
    [0, '$0.00'],
    [12.345, '$12.35'],
    [1, '$1.00'],
    [0.42, '$0.4200'],
    [0.0042, '$0.0042'],
    [0.000042, '$0.000042'],
    [-0.5, '-$0.5000'],
  ])('%d → %s', (usd, text) => {
    expect(formatUsd(usd)).toBe(text);
  });
});

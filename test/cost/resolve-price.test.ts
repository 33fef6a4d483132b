import { describe, expect, it } from 'vitest';
import { PRICE_TABLE_VERSION } from '../../src/cost/price-table.js';
import { resolvePrice } from '../../src/cost/resolve-price.js';
import { ANTHROPIC_COST_TRAITS } from '../../src/providers/anthropic/anthropic-capabilities.js';
import { GEMINI_COST_TRAITS } from '../../src/providers/gemini/gemini-capabilities.js';
import { OPENAI_COMPATIBLE_COST_TRAITS } from '../../src/providers/openai-compatible/openai-compatible-capabilities.js';
import { OPENAI_COST_TRAITS } from '../../src/providers/openai/openai-capabilities.js';

describe('resolvePrice', () => {
  it('returns table prices with their key and the table version', () => {
    const price = resolvePrice({ provider: 'openai', model: 'gpt-4o-mini-2024-07-18' }, OPENAI_COST_TRAITS);
    expect(price).toMatchObject({ source: 'table', key: 'openai/gpt-4o-mini', priceTableVersion: PRICE_TABLE_VERSION });
    expect(price!.sync).toEqual({ input: 0.15, output: 0.6, cachedInput: 0.075 });
    expect(price!.batch).toEqual({ input: 0.075, output: 0.3, cachedInput: 0.0375 });
  });

  it('returns undefined for an unknown model', () => {
    expect(resolvePrice({ provider: 'openai', model: 'gpt-unknown' }, OPENAI_COST_TRAITS)).toBeUndefined();
    expect(resolvePrice({ provider: 'gemini', model: 'gemini-9' }, GEMINI_COST_TRAITS, { 'gemini/gemini-8': { input: 1, output: 1 } })).toBeUndefined();
  });

  it('lets a recipe override win over the table, halving for batch by default', () => {
    const price = resolvePrice({ provider: 'openai', model: 'gpt-4o-mini' }, OPENAI_COST_TRAITS, { 'openai/gpt-4o-mini': { input: 0.2, output: 0.8, cached_input: 0.1 } });
    expect(price).toMatchObject({ source: 'recipe', key: 'openai/gpt-4o-mini' });
    expect(price!.priceTableVersion).toBeUndefined();
    expect(price!.sync).toEqual({ input: 0.2, output: 0.8, cachedInput: 0.1 });
    expect(price!.batch).toEqual({ input: 0.1, output: 0.4, cachedInput: 0.05 });
  });

  it('uses explicit batch prices from the override', () => {
    const price = resolvePrice({ provider: 'anthropic', model: 'claude-new' }, ANTHROPIC_COST_TRAITS, {
      'anthropic/claude-new': { input: 2, output: 10, batch_input: 1.5, batch_output: 6, batch_cached_input: 0.1 },
    });
    expect(price!.batch).toEqual({ input: 1.5, output: 6, cachedInput: 0.1 });
    expect(price!.sync).toEqual({ input: 2, output: 10 });
  });

  it('matches an override by snapshot or alias too', () => {
    const overrides = { 'openai/gpt-4o-mini': { input: 1, output: 2 }, 'anthropic/claude-3-5-haiku': { input: 3, output: 4 } };
    expect(resolvePrice({ provider: 'openai', model: 'gpt-4o-mini-2024-07-18' }, OPENAI_COST_TRAITS, overrides)).toMatchObject({ source: 'recipe', key: 'openai/gpt-4o-mini' });
    expect(resolvePrice({ provider: 'anthropic', model: 'claude-3-5-haiku-latest' }, ANTHROPIC_COST_TRAITS, overrides)).toMatchObject({ source: 'recipe', key: 'anthropic/claude-3-5-haiku' });
  });

  it('prefers the most specific override', () => {
    const overrides = { 'openai/gpt-4o': { input: 1, output: 2 }, 'openai/gpt-4o-2024-08-06': { input: 3, output: 4 } };
    expect(resolvePrice({ provider: 'openai', model: 'gpt-4o-2024-08-06' }, OPENAI_COST_TRAITS, overrides)!.sync.input).toBe(3);
  });

  it("prices a Gemini model named with the API's models/ prefix", () => {
    expect(resolvePrice({ provider: 'gemini', model: 'models/gemini-2.5-pro' }, GEMINI_COST_TRAITS)).toMatchObject({ source: 'table', key: 'gemini/gemini-2.5-pro' });
  });

  it('prices local openai-compatible models at zero unless overridden, without a batch discount', () => {
    const local = resolvePrice({ provider: 'openai-compatible', model: 'llama3.1:8b' }, OPENAI_COMPATIBLE_COST_TRAITS);
    expect(local).toMatchObject({ source: 'local', key: 'openai-compatible/llama3.1:8b' });
    expect(local!.sync).toEqual({ input: 0, output: 0, cachedInput: 0 });
    expect(local!.batch).toEqual({ input: 0, output: 0, cachedInput: 0 });
    const hosted = resolvePrice({ provider: 'openai-compatible', model: 'llama3.1:8b' }, OPENAI_COMPATIBLE_COST_TRAITS, { 'openai-compatible/llama3.1:8b': { input: 0.2, output: 0.4 } });
    expect(hosted).toMatchObject({ source: 'recipe', sync: { input: 0.2, output: 0.4 }, batch: { input: 0.2, output: 0.4 } });
  });
});

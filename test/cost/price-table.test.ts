import { describe, expect, it } from 'vitest';
import { candidateIds, lookupTablePrice, PRICE_TABLE, PRICE_TABLE_VERSION, PRICES_AS_OF } from '../../src/cost/price-table.js';
import { GEMINI_COST_TRAITS } from '../../src/providers/gemini/gemini-capabilities.js';

describe('lookupTablePrice', () => {
  it('finds exact ids', () => {
    expect(lookupTablePrice('openai', 'gpt-4o-mini')).toEqual({ key: 'gpt-4o-mini', pricing: PRICE_TABLE.openai['gpt-4o-mini'] });
    expect(lookupTablePrice('openai', 'gpt-4o-mini')!.pricing.sync).toEqual({ input: 0.15, output: 0.6, cachedInput: 0.075 });
    expect(lookupTablePrice('anthropic', 'claude-sonnet-4-5')!.pricing.sync).toEqual({ input: 3, output: 15, cachedInput: 0.3 });
    expect(lookupTablePrice('gemini', 'gemini-2.5-flash')!.pricing.sync).toEqual({ input: 0.3, output: 2.5, cachedInput: 0.03 });
  });

  it('maps dated snapshots to their model', () => {
    expect(lookupTablePrice('openai', 'gpt-4o-mini-2024-07-18')?.key).toBe('gpt-4o-mini');
    expect(lookupTablePrice('openai', 'gpt-4.1-2025-04-14')?.key).toBe('gpt-4.1');
    expect(lookupTablePrice('anthropic', 'claude-3-5-haiku-20241022')?.key).toBe('claude-3-5-haiku');
    expect(lookupTablePrice('anthropic', 'claude-opus-4-1-20250805')?.key).toBe('claude-opus-4-1');
    expect(lookupTablePrice('anthropic', 'claude-sonnet-4-20250514')?.key).toBe('claude-sonnet-4');
    expect(lookupTablePrice('gemini', 'gemini-2.5-flash-001')?.key).toBe('gemini-2.5-flash');
  });

  it('prefers an exact row for a snapshot priced apart from its model', () => {
    expect(lookupTablePrice('openai', 'gpt-4o-2024-05-13')!.pricing.sync.input).toBe(5);
    expect(lookupTablePrice('openai', 'gpt-4o-2024-11-20')!.pricing.sync.input).toBe(2.5);
  });

  it('follows aliases', () => {
    expect(lookupTablePrice('anthropic', 'claude-3-5-haiku-latest')?.key).toBe('claude-3-5-haiku');
    expect(lookupTablePrice('anthropic', 'claude-sonnet-4-0')?.key).toBe('claude-sonnet-4');
    expect(lookupTablePrice('openai', 'gpt-5-chat-latest')?.key).toBe('gpt-5');
  });

  it("accepts Gemini's models/ prefix", () => {
    expect(lookupTablePrice('gemini', GEMINI_COST_TRAITS.priceId('models/gemini-2.5-pro'))?.key).toBe('gemini-2.5-pro');
  });

  it('returns undefined for unknown models, never a zero price', () => {
    expect(lookupTablePrice('openai', 'gpt-9-ultra')).toBeUndefined();
    expect(lookupTablePrice('openai', 'gpt-4o-mini-audio-preview')).toBeUndefined();
    expect(lookupTablePrice('gemini', 'gemini-2.5-flash-preview-05-20')).toBeUndefined();
    expect(lookupTablePrice('anthropic', 'gpt-4o')).toBeUndefined();
    expect(lookupTablePrice('openai-compatible', 'llama3')).toBeUndefined();
  });

  it('covers the models the recipes name', () => {
    const expected = {
      openai: ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'o3', 'o4-mini', 'gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'text-embedding-3-small', 'text-embedding-3-large'],
      anthropic: ['claude-opus-4-1', 'claude-opus-4-5', 'claude-sonnet-4', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-3-5-haiku'],
      gemini: ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-embedding-001'],
    } as const;
    for (const [provider, models] of Object.entries(expected)) {
      for (const model of models) expect(lookupTablePrice(provider as 'openai', model), `${provider}/${model}`).toBeDefined();
    }
  });
});

describe('PRICE_TABLE', () => {
  it('prices every batch input and output at half the synchronous price', () => {
    for (const [provider, models] of Object.entries(PRICE_TABLE)) {
      for (const [model, { sync, batch }] of Object.entries(models)) {
        expect(batch.input, `${provider}/${model}`).toBeCloseTo(sync.input / 2, 12);
        expect(batch.output, `${provider}/${model}`).toBeCloseTo(sync.output / 2, 12);
        expect(sync.cachedInput === undefined, `${provider}/${model}`).toBe(batch.cachedInput === undefined);
      }
    }
  });

  it('stacks the cache and batch discounts where documented, and not on Gemini', () => {
    expect(PRICE_TABLE.anthropic['claude-haiku-4-5']!.batch).toEqual({ input: 0.5, output: 2.5, cachedInput: 0.05 });
    expect(PRICE_TABLE.gemini['gemini-2.5-flash']!.batch.cachedInput).toBe(0.03);
  });

  it('has plausible figures: positive input, output not below input except embeddings', () => {
    for (const [provider, models] of Object.entries(PRICE_TABLE)) {
      for (const [model, { sync }] of Object.entries(models)) {
        expect(sync.input, `${provider}/${model}`).toBeGreaterThan(0);
        if (!model.includes('embedding')) expect(sync.output, `${provider}/${model}`).toBeGreaterThan(sync.input);
        if (sync.cachedInput !== undefined) expect(sync.cachedInput, `${provider}/${model}`).toBeLessThan(sync.input);
      }
    }
  });

  it('carries a version and an as-of date', () => {
    expect(PRICE_TABLE_VERSION).toMatch(/^\d{4}-\d{2}-\d{2}/);
    expect(PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('candidateIds', () => {
  it('lists the exact id, the id without its snapshot, then aliases', () => {
    expect(candidateIds('openai', 'gpt-4o-mini-2024-07-18')).toEqual(['gpt-4o-mini-2024-07-18', 'gpt-4o-mini']);
    expect(candidateIds('anthropic', 'claude-3-5-haiku-latest')).toEqual(['claude-3-5-haiku-latest', 'claude-3-5-haiku']);
    expect(candidateIds('openai-compatible', 'llama-3.1-8b-2024-07-23')).toEqual(['llama-3.1-8b-2024-07-23']);
  });
});

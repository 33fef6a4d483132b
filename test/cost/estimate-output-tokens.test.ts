import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OUTPUT_TOKENS,
  DEFAULT_REASONING_TOKENS,
  estimateFromObserved,
  estimateOutputTokens,
  estimateSchemaTokens,
} from '../../src/cost/estimate-output-tokens.js';
import { ANTHROPIC_COST_TRAITS } from '../../src/providers/anthropic/anthropic-capabilities.js';
import { GEMINI_COST_TRAITS } from '../../src/providers/gemini/gemini-capabilities.js';
import { OPENAI_COST_TRAITS } from '../../src/providers/openai/openai-capabilities.js';

describe('estimateSchemaTokens', () => {
  it('sizes strings from their length limits', () => {
    // (20 + 100) / 2 chars / 4 per token = 15, + 2 quotes.
    expect(estimateSchemaTokens({ type: 'string', minLength: 20, maxLength: 100 })).toBe(17);
    expect(estimateSchemaTokens({ type: 'string', maxLength: 40 })).toBe(7);
    expect(estimateSchemaTokens({ type: 'string' })).toBe(102);
    // minLength 800 → at least 800 × 1.5 / 4 = 300.
    expect(estimateSchemaTokens({ type: 'string', minLength: 800 })).toBe(302);
    expect(estimateSchemaTokens({ type: 'string', format: 'date-time' })).toBe(12);
  });

  it('sizes scalars, enums and consts', () => {
    expect(estimateSchemaTokens({ type: 'integer' })).toBe(3);
    expect(estimateSchemaTokens({ type: 'boolean' })).toBe(1);
    expect(estimateSchemaTokens({ enum: ['positive', 'negative', 'neutral-ish'] })).toBe(4);
    expect(estimateSchemaTokens({ const: 'ok' })).toBe(1);
  });

  it('sums object properties with their keys', () => {
    // 2 braces + (ceil(8/4) + 3 + 102) for "question".
    expect(estimateSchemaTokens({ type: 'object', properties: { question: { type: 'string' } } })).toBe(109);
    expect(estimateSchemaTokens({ properties: { a: { type: 'integer' }, b: { type: 'boolean' } } })).toBe(2 + (1 + 3 + 3) + (1 + 3 + 1));
  });

  it('multiplies array items by the expected count', () => {
    expect(estimateSchemaTokens({ type: 'array', items: { type: 'integer' } })).toBe(2 + 3 * 4);
    expect(estimateSchemaTokens({ type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 10 })).toBe(2 + 6 * 4);
    expect(estimateSchemaTokens({ type: 'array', items: { type: 'integer' }, minItems: 5 })).toBe(2 + 5 * 4);
  });

  it('takes the largest branch of anyOf and nullable types', () => {
    expect(estimateSchemaTokens({ anyOf: [{ type: 'integer' }, { type: 'string', maxLength: 400 }] })).toBe(52);
    expect(estimateSchemaTokens({ type: ['string', 'null'], maxLength: 8 })).toBe(3);
  });

  it('resolves local $refs and stops on cycles', () => {
    const schema = {
      type: 'object',
      properties: { item: { $ref: '#/$defs/item' } },
      $defs: { item: { type: 'object', properties: { child: { $ref: '#/$defs/item' }, n: { type: 'integer' } } } },
    };
    const tokens = estimateSchemaTokens(schema);
    expect(Number.isFinite(tokens)).toBe(true);
    expect(tokens).toBeGreaterThan(20);
    expect(estimateSchemaTokens({ $ref: 'https://example.com/x.json' })).toBe(20);
  });
});

describe('estimateOutputTokens', () => {
  const schema = { type: 'object', properties: { answer: { type: 'string', maxLength: 2000 } } };

  it('uses the schema, capped by max_tokens', () => {
    expect(estimateOutputTokens({ schema })).toBe(2 + 2 + 3 + 252);
    expect(estimateOutputTokens({ schema, maxTokens: 100 })).toBe(100);
  });

  it('has a default when nothing is known', () => {
    expect(estimateOutputTokens()).toBe(DEFAULT_OUTPUT_TOKENS);
    expect(estimateOutputTokens({ maxTokens: 50 })).toBe(50);
  });

  it('adds a reasoning allowance for reasoning models', () => {
    expect(estimateOutputTokens({ reasoning: OPENAI_COST_TRAITS.reasoningModel('o4-mini') })).toBe(DEFAULT_OUTPUT_TOKENS + DEFAULT_REASONING_TOKENS);
    expect(estimateOutputTokens({ reasoning: OPENAI_COST_TRAITS.reasoningModel('gpt-4o-mini') })).toBe(DEFAULT_OUTPUT_TOKENS);
    expect(estimateOutputTokens({ reasoning: OPENAI_COST_TRAITS.reasoningModel('gpt-5'), reasoningTokens: 10 })).toBe(DEFAULT_OUTPUT_TOKENS + 10);
    expect(estimateOutputTokens({ reasoning: OPENAI_COST_TRAITS.reasoningModel('gpt-5'), maxTokens: 500 })).toBe(500);
  });

  it('knows which models reason by default', () => {
    expect(OPENAI_COST_TRAITS.reasoningModel('gpt-5-mini')).toBe(true);
    expect(OPENAI_COST_TRAITS.reasoningModel('gpt-5-chat-latest')).toBe(false);
    expect(OPENAI_COST_TRAITS.reasoningModel('o3')).toBe(true);
    expect(GEMINI_COST_TRAITS.reasoningModel('gemini-2.5-pro')).toBe(true);
    expect(GEMINI_COST_TRAITS.reasoningModel('models/gemini-2.5-flash')).toBe(true);
    expect(GEMINI_COST_TRAITS.reasoningModel('gemini-2.5-flash-lite')).toBe(false);
    expect(ANTHROPIC_COST_TRAITS.reasoningModel('claude-sonnet-4-5')).toBe(false);
  });
});

describe('estimateFromObserved', () => {
  it('totals the observed mean over the requests, with a 95% interval from the spread and the sample size', () => {
    // 4 answers of 10, 20, 30, 40 tokens: mean 25, sample sd √(500/3) ≈ 12.91.
    const observed = { answers: 4, sum: 100, sumOfSquares: 100 + 400 + 900 + 1600 };
    const estimate = estimateFromObserved(observed, 100);
    expect(estimate.meanPerRequest).toBe(25);
    expect(estimate.spreadPerRequest).toBeCloseTo(12.91, 2);
    expect(estimate.total).toBe(2500);
    const half = 1.96 * Math.sqrt(500 / 3) * Math.sqrt(100 + 100 ** 2 / 4);
    expect(estimate.low).toBeCloseTo(2500 - half, 6);
    expect(estimate.high).toBeCloseTo(2500 + half, 6);
  });

  it('caps answers at max_tokens and never goes below zero', () => {
    const estimate = estimateFromObserved({ answers: 2, sum: 400, sumOfSquares: 100 ** 2 + 300 ** 2 }, 10, 150);
    expect(estimate.meanPerRequest).toBe(150);
    expect(estimate.high).toBe(1500);
    expect(estimate.low).toBe(0);
  });

  it('one answer gives its value with no spread', () => {
    expect(estimateFromObserved({ answers: 1, sum: 42, sumOfSquares: 42 * 42 }, 3)).toEqual({ meanPerRequest: 42, spreadPerRequest: 0, total: 126, low: 126, high: 126 });
  });
});

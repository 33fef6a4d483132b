import { describe, expect, it } from 'vitest';
import { priceOverridesSchema } from '../../src/cost/price-spec.js';

describe('priceOverridesSchema', () => {
  it('accepts provider/model keys with snake_case prices', () => {
    const prices = {
      'openai/gpt-4o-mini': { input: 0.15, output: 0.6, cached_input: 0.075 },
      'openai-compatible/llama-3.1-8b': { input: 0, output: 0 },
      'anthropic/claude-x': { input: 1, output: 5, batch_input: 0.4, batch_output: 2, batch_cached_input: 0.04 },
    };
    expect(priceOverridesSchema.parse(prices)).toEqual(prices);
  });

  it('rejects keys without a known provider', () => {
    const result = priceOverridesSchema.safeParse({ 'gpt-4o': { input: 1, output: 1 }, 'azure/gpt-4o': { input: 1, output: 1 } });
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((issue) => [issue.path, issue.message]);
    expect(messages).toContainEqual([['gpt-4o'], expect.stringContaining('"<provider>/<model>"')]);
    expect(messages).toContainEqual([['azure/gpt-4o'], expect.stringContaining('unknown provider "azure"')]);
  });

  it('rejects typos, missing prices and negative prices', () => {
    const result = priceOverridesSchema.safeParse({
      'openai/a': { input: 1, output: 1, cached_inputs: 0.5 },
      'openai/b': { input: 1 },
      'openai/c': { input: -1, output: 1 },
    });
    const issues = result.error!.issues;
    expect(issues.find((issue) => issue.code === 'unrecognized_keys')?.path).toEqual(['openai/a']);
    expect(issues.find((issue) => issue.path.join('.') === 'openai/b.output')).toBeDefined();
    expect(issues.find((issue) => issue.path.join('.') === 'openai/c.input')?.code).toBe('too_small');
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_INDEX_MB, parseDedupSpec, resolveDedupConfig } from '../../src/dedup/dedup-spec.js';
import { indexBudget } from '../../src/dedup/index-budget.js';

describe('indexBudget', () => {
  it('gives the text index the whole cap without semantic dedup, and the vectors all of it without near dedup', () => {
    expect(indexBudget(1600)).toEqual({ shingleBytes: 800, lshBytes: 600, exactBytes: 100, idBytes: 100, vectorBytes: 0 });
    expect(indexBudget(1600, { near: false, semantic: true }).vectorBytes).toBe(1600);
  });

  it('halves the cap between the text shares and the vectors in a step with both, and never exceeds it', () => {
    const budget = indexBudget(1600, { near: true, semantic: true });
    expect(budget).toEqual({ shingleBytes: 400, lshBytes: 300, exactBytes: 50, idBytes: 50, vectorBytes: 800 });
    expect(budget.shingleBytes + budget.lshBytes + budget.exactBytes + budget.idBytes + budget.vectorBytes).toBe(1600);
  });

  it('is unbounded without a cap', () => {
    expect(indexBudget(undefined, { near: true, semantic: true }).vectorBytes).toBe(Number.POSITIVE_INFINITY);
    expect(indexBudget(undefined, { near: true, semantic: true }).shingleBytes).toBe(Number.POSITIVE_INFINITY);
  });

  it("reaches the semantic config from the recipe's max_index_mb", () => {
    const vectorBytesOf = (spec: Record<string, unknown>) => resolveDedupConfig(parseDedupSpec({ semantic: { field: 'v' }, ...spec })).semantic?.maxVectorBytes;
    expect(vectorBytesOf({})).toBe(DEFAULT_MAX_INDEX_MB * 2 ** 20);
    expect(vectorBytesOf({ max_index_mb: 64 })).toBe(64 * 2 ** 20);
    expect(vectorBytesOf({ max_index_mb: 64, fields: ['text'], near: {} })).toBe(32 * 2 ** 20);
  });
});

import { describe, expect, it } from 'vitest';
import { SeedError } from '../../src/seeds/errors.js';
import { countProductSeeds, MAX_PRODUCT_RECORDS } from '../../src/seeds/expand-product.js';
import { countSeeds, openSeeds } from '../../src/seeds/open-seeds.js';
import type { SeedSourceSpec } from '../../src/seeds/seed-source.js';

/** Twelve lists of ten values: 10^12 combinations. */
const HUGE = Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`k${index}`, [...'abcdefghij']]));
const location = { file: 'recipe.yaml', line: 4, column: 5 };

async function refusal(run: () => Promise<unknown>): Promise<SeedError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(SeedError);
    return error as SeedError;
  }
  throw new Error('expected a SeedError');
}

describe('product seed limit', () => {
  it('refuses a product over the limit before the first record, naming the seed and the count', async () => {
    const spec: SeedSourceSpec = { kind: 'product', attributes: HUGE, location };
    const error = await refusal(async () => {
      for await (const record of openSeeds([{ kind: 'inline', records: [{ k0: 'x' }] }, spec], { baseDir: '.' })) void record;
    });
    expect(error.code).toBe('seed_product_too_large');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      'recipe.yaml:4:5: seeds[1]: product has 1,000,000,000,000 combinations (10 × 10 × 10 × 10 × 10 × 10 × 10 × 10 × 10 × 10 × 10 × 10), ' +
        'over the limit of 1,000,000 records; add `limit: N` to the source, shorten the lists, or split it into several sources',
    );
    expect(error.details).toMatchObject({ file: 'recipe.yaml', line: 4, sourceIndex: 1, records: 1e12, limit: MAX_PRODUCT_RECORDS });
  });

  it('counts a product from its lists without expanding it', async () => {
    const specs: SeedSourceSpec[] = [
      { kind: 'product', attributes: HUGE, limit: 1_000_000 },
      { kind: 'product', attributes: HUGE, limit: 50, sample: { n: 7, seed: 1 } },
      { kind: 'product', attributes: { a: [1, 2, 3], b: ['x', 'y'] } },
    ];
    expect(await countSeeds(specs, { baseDir: '.' })).toEqual({ total: 1_000_013, perSource: [1_000_000, 7, 6] });
    expect(countProductSeeds(specs)).toEqual([
      { source: 0, combinations: 1e12, records: 1_000_000 },
      { source: 1, combinations: 1e12, records: 7 },
      { source: 2, combinations: 6, records: 6 },
    ]);
  });

  it('refuses over the limit in countProductSeeds too, and accepts the limit exactly', async () => {
    const error = await refusal(async () => countProductSeeds([{ kind: 'product', attributes: HUGE, sample: { n: 5, seed: 1 }, location }]));
    expect(error.details).toMatchObject({ records: 1e12 });
    const exactly = { a: Array.from({ length: 1000 }, (_, index) => index), b: Array.from({ length: 1000 }, (_, index) => index) };
    expect(countProductSeeds([{ kind: 'product', attributes: exactly }])).toEqual([{ source: 0, combinations: MAX_PRODUCT_RECORDS, records: MAX_PRODUCT_RECORDS }]);
    expect(() => countProductSeeds([{ kind: 'product', attributes: { ...exactly, c: [1, 2] } }])).toThrow(/2,000,000 combinations \(1000 × 1000 × 2\)/);
  });
});

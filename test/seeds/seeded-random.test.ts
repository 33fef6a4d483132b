import { describe, expect, it } from 'vitest';
import { createSeededRandom, xoshiro128StarStar } from '../../src/seeds/seeded-random.js';

describe('xoshiro128StarStar', () => {
  it('matches the reference implementation for state {1, 2, 3, 4}', () => {
    const next = xoshiro128StarStar([1, 2, 3, 4]);
    expect(Array.from({ length: 6 }, next)).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });
});

describe('createSeededRandom', () => {
  it('repeats for the same seed and differs across seeds, including beyond 32 bits', () => {
    const draw = (seed: number) => {
      const random = createSeededRandom(seed);
      return Array.from({ length: 4 }, () => random.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(1)).not.toEqual(draw(1 + 2 ** 32));
    expect(draw(-1)).not.toEqual(draw(2 ** 32 - 1));
  });

  it('keeps bounded draws in range and reaches every value', () => {
    const random = createSeededRandom(5);
    const values = Array.from({ length: 2000 }, () => random.nextBelow(7));
    expect(Math.min(...values)).toBe(0);
    expect(Math.max(...values)).toBe(6);
    expect(new Set(values).size).toBe(7);
    expect(values.every(Number.isInteger)).toBe(true);
    expect(random.nextBelow(1)).toBe(0);
  });

  it('rejects seeds and bounds it cannot honour', () => {
    expect(() => createSeededRandom(0.5)).toThrow(RangeError);
    expect(() => createSeededRandom(2 ** 60)).toThrow(RangeError);
    expect(() => createSeededRandom(1).nextBelow(0)).toThrow(RangeError);
  });
});

import { describe, expect, it } from 'vitest';
import { exactJaccard, jaccardUpperBound, sortUnique } from '../../src/dedup/jaccard.js';

describe('sortUnique', () => {
  it('sorts a run in place as signed int32 and drops repeats', () => {
    const values = Int32Array.from([9, 5, 3, 5, -2, 9, 0x7fffffff, -0x80000000, 3, 1, 2]);
    const count = sortUnique(values, 2, 7);
    expect(Array.from(values.subarray(2, 2 + count))).toEqual([-0x80000000, -2, 3, 5, 9, 0x7fffffff]);
    expect(values[0]).toBe(9);
    expect(values[1]).toBe(5);
  });

  it('gives what a plain sort and dedup give for runs long enough for its radix sort, around them untouched', () => {
    let seed = 7;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) | 0);
    for (const count of [127, 128, 200, 1000, 5000]) {
      // Repeats, both signs, the extremes, and values that differ only in their high bytes.
      const run = Int32Array.from({ length: count }, (_, index) => (index % 7 === 0 ? [0x7fffffff, -0x80000000, 0, -1][index % 4]! : index % 5 === 0 ? (next() & 0xff000000) | 0x55 : next() % 1000 === 0 ? 42 : next()));
      const values = new Int32Array(count + 6).fill(13);
      values.set(run, 3);
      const expected = [...new Set(Array.from(run))].sort((a, b) => a - b);
      const unique = sortUnique(values, 3, count);
      expect(Array.from(values.subarray(3, 3 + unique))).toEqual(expected);
      expect(Array.from(values.subarray(0, 3))).toEqual([13, 13, 13]);
      expect(Array.from(values.subarray(3 + count))).toEqual([13, 13, 13]);
    }
  });
});

describe('exactJaccard', () => {
  it('is |A ∩ B| / |A ∪ B| over sorted runs at any offset', () => {
    const a = Int32Array.from([0, 1, 2, 3, 4, 5]);
    const b = Int32Array.from([99, 3, 4, 5, 6, 7, 8]);
    expect(exactJaccard(a, 0, 6, b, 1, 6)).toBeCloseTo(3 / 9, 12);
    expect(exactJaccard(a, 0, 6, a, 0, 6)).toBe(1);
    expect(exactJaccard(a, 0, 3, a, 3, 3)).toBe(0);
    expect(exactJaccard(a, 0, 0, b, 0, 0)).toBe(1);
  });

  it('bounds the similarity by the size ratio', () => {
    expect(jaccardUpperBound(80, 100)).toBe(0.8);
    expect(jaccardUpperBound(0, 0)).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { hasFlag, numberOption, optionValue, sizesOption } from '../../bench/bench-args.js';

describe('benchmark arguments', () => {
  it('reads --name=value and --name value', () => {
    expect(optionValue(['--sizes=10,20'], 'sizes')).toBe('10,20');
    expect(optionValue(['--sizes', '10,20'], 'sizes')).toBe('10,20');
    expect(optionValue(['--sizes', '--full'], 'sizes')).toBeUndefined();
    expect(optionValue([], 'sizes')).toBeUndefined();
  });

  it('picks sizes from --sizes, else --full, else the defaults, with k/m suffixes and _ separators', () => {
    expect(sizesOption([], [100], [100, 1000])).toEqual([100]);
    expect(sizesOption(['--full'], [100], [100, 1000])).toEqual([100, 1000]);
    expect(sizesOption(['--full', '--sizes=100k,1m,2_000'], [100], [1])).toEqual([100_000, 1_000_000, 2000]);
    expect(() => sizesOption(['--sizes=ten'], [1], [1])).toThrow(/positive integers/);
    expect(() => sizesOption(['--sizes=0'], [1], [1])).toThrow(/positive integers/);
  });

  it('reads numbers and flags', () => {
    expect(numberOption(['--breakdown=20k'], 'breakdown', 5)).toBe(20_000);
    expect(numberOption([], 'breakdown', 5)).toBe(5);
    expect(() => numberOption(['--breakdown=x'], 'breakdown', 5)).toThrow(/number/);
    expect(hasFlag(['--keep'], 'keep')).toBe(true);
    expect(hasFlag(['--keeping'], 'keep')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { splitArguments } from '../../bench/run.js';

describe('bench runner arguments', () => {
  it('passes options and their numeric values on, and keeps bare words as filters', () => {
    expect(splitArguments(['postprocess', '--sizes', '100000,1000000', 'planning'])).toEqual({
      filters: ['postprocess', 'planning'],
      passed: ['--sizes', '100000,1000000'],
    });
    expect(splitArguments(['minhash', '--million', '--docs=5000'])).toEqual({ filters: ['minhash'], passed: ['--million', '--docs=5000'] });
  });

  it('does not take a filter for the value of a flag', () => {
    expect(splitArguments(['--full', 'orchestration'])).toEqual({ filters: ['orchestration'], passed: ['--full'] });
    expect(splitArguments(['--sizes=10', '20'])).toEqual({ filters: ['20'], passed: ['--sizes=10'] });
  });
});

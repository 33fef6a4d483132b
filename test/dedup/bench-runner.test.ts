import { describe, expect, it } from 'vitest';
import { selectBenchFiles } from '../../bench/run.js';

describe('bench runner selection', () => {
  const files = ['run.ts', 'minhash.bench.ts', 'planning.bench.ts', 'synthetic-corpus.ts', 'README.md'];

  it('runs every *.bench.ts without filters, in name order', () => {
    expect(selectBenchFiles(files, [])).toEqual(['minhash.bench.ts', 'planning.bench.ts']);
  });

  it('keeps only the files whose name contains a filter', () => {
    expect(selectBenchFiles(files, ['minhash'])).toEqual(['minhash.bench.ts']);
    expect(selectBenchFiles(files, ['plan', 'min'])).toEqual(['minhash.bench.ts', 'planning.bench.ts']);
    expect(selectBenchFiles(files, ['nothing'])).toEqual([]);
  });
});

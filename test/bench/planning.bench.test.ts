import { describe, expect, it } from 'vitest';
import { run } from '../../bench/planning.bench.js';
import { captureLog, numberIn, tableRows } from './captured-tables.js';

describe('planning benchmark (smoke)', () => {
  it('plans a tiny size for n = 1 and n = 3 and prints its tables', async () => {
    const text = await captureLog(() => run(['--sizes=300', '--n=1,3', '--breakdown=30', '--in-process']));
    const rows = tableRows(text, 'requests').filter((row) => 'requests/s' in row);
    expect(rows.map((row) => [row.requests, row.n, row.records])).toEqual([
      ['300', '1', '300'],
      ['300', '3', '100'],
    ]);
    for (const row of rows) {
      expect(numberIn(row['requests/s'])).toBeGreaterThan(0);
      expect(numberIn(row['baseline req/s'])).toBeGreaterThan(0);
      expect(numberIn(row['× baseline time'])).toBeGreaterThan(0);
      expect(numberIn(row.shards)).toBe(1);
    }
    const pieces = tableRows(text, 'requests').filter((row) => 'piece' in row);
    expect(pieces.map((row) => row.piece)).toContain('render + request key');
    expect(text).toMatch(/seed loading/);
  });
});

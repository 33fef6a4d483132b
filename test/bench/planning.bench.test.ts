import { describe, expect, it } from 'vitest';
import { run } from '../../bench/planning.bench.js';
import { availableParallelism } from 'node:os';
import { captureLog, numberIn, summaryLines, tableRows } from './captured-tables.js';

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

    // One machine-readable line per measured case closes the output.
    const summaries = summaryLines(text, 'planning');
    expect(summaries.map((line) => [line.requests, line.n])).toEqual([
      ['300', '1'],
      ['300', '3'],
    ]);
    for (const line of summaries) {
      expect(Number(line.req_per_s)).toBeGreaterThan(0);
      expect(Number(line.baseline_ratio)).toBeGreaterThan(0);
      expect(Number(line.cpu_us_per_req)).toBeGreaterThan(0);
      expect(Number(line.cores)).toBe(availableParallelism());
    }
  });
});

import { describe, expect, it } from 'vitest';
import { run } from '../../bench/decontaminate.bench.js';
import { captureLog, summaryLines, tableRows } from './captured-tables.js';

describe('decontaminate benchmark (smoke)', () => {
  it('finds the planted items and prints recall, precision and throughput', async () => {
    const text = await captureLog(() => run(['--eval-items=500', '--records=1000', '--planted-percent=5']));
    expect(tableRows(text, 'eval items')).toHaveLength(1);
    const [summary] = summaryLines(text, 'decontaminate');
    expect(summary).toMatchObject({ eval_items: '500', records: '1000' });
    expect(Number(summary!.recall)).toBeGreaterThanOrEqual(0.99);
    expect(Number(summary!.precision)).toBeGreaterThanOrEqual(0.99);
    expect(Number(summary!.records_per_min)).toBeGreaterThan(0);
    expect(Number(summary!.planted)).toBeGreaterThan(50);
  });
});

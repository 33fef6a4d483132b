import { describe, expect, it } from 'vitest';
import { run } from '../../bench/store.bench.js';
import { captureLog, summaryLines, tableRows } from './captured-tables.js';

describe('store benchmark (smoke)', () => {
  it('puts each size into the store and into one table, looks keys up, and prints the cost per request and per key and their growth', async () => {
    const text = await captureLog(() => run(['--sizes=4000,12000', '--shard=1000']));
    expect(tableRows(text, 'requests').map((row) => row.requests)).toEqual(['4,000', '12,000']);
    const summaries = summaryLines(text, 'store');
    expect(summaries.map((line) => line.requests)).toEqual(['4000', '12000']);
    expect(summaries[0]).toMatchObject({ growth: '1', one_table_growth: '1' });
    for (const line of summaries) {
      expect(Number(line.put_us)).toBeGreaterThan(0);
      expect(Number(line.one_table_put_us)).toBeGreaterThan(0);
      expect(Number(line.mb_per_1k)).toBeGreaterThan(0);
      expect(Number(line.mb_per_1k)).toBeLessThan(0.1);
      expect(Number(line.lookup_hit_us)).toBeGreaterThan(0);
      expect(Number(line.lookup_miss_us)).toBeGreaterThan(0);
    }
    expect(summaries[0]).toMatchObject({ lookup_hit_growth: '1', lookup_miss_growth: '1' });
    expect(Number(summaries[1]!.growth)).toBeCloseTo(Number(summaries[1]!.put_us) / Number(summaries[0]!.put_us), 2);
  });
});

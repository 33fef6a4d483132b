import { describe, expect, it } from 'vitest';
import { run } from '../../bench/orchestration.bench.js';
import { captureLog, numberIn, summaryLines, tableRows } from './captured-tables.js';

describe('orchestration benchmark (smoke)', () => {
  it('runs a tiny offline recipe and prints the overhead against the configured emulator time', async () => {
    const text = await captureLog(() => run(['--sizes=200', '--timing=20,60,20', '--no-warmup']));
    const [row] = tableRows(text, 'records').filter((item) => 'overhead s' in item);
    expect(row).toMatchObject({ records: '200', requests: '200', 'timing V/P/F ms': '20/60/20', 'configured s': '0.10' });
    // Every request came back (no faults configured) and the run wrote rows.
    expect(numberIn(row!.rows)).toBeGreaterThan(0);
    expect(numberIn(row!['wall s'])).toBeGreaterThan(0.1);
    expect(numberIn(row!['overhead s'])).toBeCloseTo(numberIn(row!['wall s']) - 0.1, 1);
    const phases = tableRows(text, 'phase').map((item) => item.phase);
    expect(phases).toEqual(expect.arrayContaining(['plan (render, keys, store, shards)', 'collect (download, parse, validate, store)', 'write version']));
    const [summary, ...more] = summaryLines(text, 'orchestration');
    expect(more).toEqual([]);
    expect(summary).toMatchObject({ records: '200', requests: '200' });
    expect(Number(summary!.overhead_ms_per_req)).toBeGreaterThan(0);
  });
});

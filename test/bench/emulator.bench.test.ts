import { describe, expect, it } from 'vitest';
import { run } from '../../bench/emulator.bench.js';
import { captureLog, numberIn, summaryLines, tableRows } from './captured-tables.js';

describe('emulator benchmark (smoke)', () => {
  it('sends a small padded file through upload, create, run and download and prints every phase', async () => {
    const text = await captureLog(() => run(['--requests=300', '--mb=0.6']));
    expect(text).toMatch(/input: 300 requests, 0\.6 MB/);
    const rows = tableRows(text, 'phase');
    expect(rows.map((row) => row.phase)).toEqual(['transfer floor', 'scan floor', 'upload', 'create', 'run', 'download']);
    for (const row of rows) expect(numberIn(row.seconds)).toBeGreaterThan(0);
    for (const phase of ['upload', 'run']) expect(numberIn(rows.find((row) => row.phase === phase)!['× floor time'])).toBeGreaterThan(0);
    expect(text).toMatch(/all 300 output lines through/);
    const [summary, ...more] = summaryLines(text, 'emulator');
    expect(more).toEqual([]);
    expect(summary!.requests).toBe('300');
    expect(Number(summary!.mb)).toBeCloseTo(0.6, 1);
    expect(Number(summary!.upload_floor_ratio)).toBeGreaterThan(0);
  });
});

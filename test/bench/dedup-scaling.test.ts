import { describe, expect, it } from 'vitest';
import { run } from '../../bench/dedup-scaling.js';
import { captureLog, summaryLines } from './captured-tables.js';

describe('dedup scaling benchmark (smoke)', () => {
  it('times 1 thread and 2 workers back to back and reports identical verdicts', async () => {
    const text = await captureLog(() => run(['--docs=600', '--workers=1,2', '--pairs=1', '--chunk=128']));
    expect(text).toMatch(/dedup scaling: 600 docs, chunks of 128/);
    const summaries = summaryLines(text, 'dedup-scaling');
    expect(summaries.map((summary) => summary.workers)).toEqual(['1', '2']);
    for (const summary of summaries) {
      expect(summary.docs).toBe('600');
      expect(summary.identical).toBe('yes');
      expect(Number(summary.docs_per_s)).toBeGreaterThan(0);
      expect(Number(summary.speedup)).toBeGreaterThan(0);
      expect(Number(summary.caller_us_per_doc)).toBeGreaterThan(0);
      expect(Object.keys(summary).at(-1)).toBe('cores');
    }
  }, 60_000);

  it('reads the corpus as stage lines with --from=lines, the verdicts of every run compared by digest', async () => {
    const text = await captureLog(() => run(['--docs=600', '--workers=1,2', '--pairs=1', '--from=lines']));
    expect(text).toMatch(/dedup scaling: 600 docs read as stage lines/);
    const summaries = summaryLines(text, 'dedup-scaling');
    expect(summaries.map((summary) => [summary.from, summary.workers, summary.identical])).toEqual([
      ['lines', '1', 'yes'],
      ['lines', '2', 'yes'],
    ]);
  }, 60_000);
});

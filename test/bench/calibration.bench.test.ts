import { describe, expect, it } from 'vitest';
import { run } from '../../bench/calibration.bench.js';
import { captureLog, summaryLines, tableRows } from './captured-tables.js';

describe('calibration benchmark (smoke)', () => {
  it('plans before and after a preview and prints both errors against the ledger', async () => {
    const text = await captureLog(() => run(['--records=30', '--preview=5']));
    expect(tableRows(text, 'case').map((row) => row.case)).toEqual(['summary', 'qa']);
    const summaries = summaryLines(text, 'calibration');
    expect(summaries.map((line) => line.case)).toEqual(['summary', 'qa']);
    for (const line of summaries) {
      expect(line).toMatchObject({ basis: 'preview' });
      expect(Number(line.estimate_usd)).toBeGreaterThan(0);
      expect(Number(line.actual_usd)).toBeGreaterThan(0);
      expect(Number.isFinite(Number(line.error_pct))).toBe(true);
      expect(Number(line.before_error_pct)).toBeGreaterThan(Math.abs(Number(line.error_pct)));
    }
  });
});

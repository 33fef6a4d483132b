import type { CancelReport } from '../../engine/run-control.js';
import { terminalSafeLines } from './terminal-text.js';

export function renderCancel(report: CancelReport): string {
  const lines = [`run ${report.runId}: ${report.status}`];
  if (report.cancelledBatches.length > 0) lines.push(`cancelled batches: ${report.cancelledBatches.join(', ')}`);
  if (report.note) lines.push(report.note);
  return terminalSafeLines(lines.join('\n'));
}

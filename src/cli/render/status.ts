import type { RunListReport, RunStatusReport } from '../../engine/run-control.js';
import { terminalSafeLines } from './terminal-text.js';

export function renderStatus(report: RunStatusReport | RunListReport): string {
  return terminalSafeLines(renderStatusLines(report));
}

function renderStatusLines(report: RunStatusReport | RunListReport): string {
  if ('runs' in report) {
    if (report.runs.length === 0) return 'no runs in this state directory';
    return report.runs
      .map((run) => `${run.id}  ${run.recipeName.padEnd(16)} ${run.status}${run.alive ? ' (live)' : ''}  ${new Date(run.createdAt).toISOString()}`)
      .join('\n');
  }
  const { run } = report;
  const lines = [`run ${run.id} of ${run.recipeName}: ${run.status}${run.alive ? ` (process ${run.pid} is working on it)` : ''}${run.cancelRequested ? ', cancel requested' : ''}`];
  for (const step of report.steps) lines.push(`  step ${step.name} (${step.kind}): ${step.status}${step.counts ? ` ${JSON.stringify(step.counts)}` : ''}`);
  const byStatus = Object.entries(report.shards.byStatus).map(([status, count]) => `${count} ${status}`).join(', ');
  lines.push(`  shards: ${report.shards.total}${byStatus ? ` (${byStatus})` : ''}`);
  for (const batch of report.shards.batches) {
    const counts = batch.counts as { completed?: number; failed?: number; total?: number } | undefined;
    const progress = counts ? ` ${(counts.completed ?? 0) + (counts.failed ?? 0)}/${counts.total ?? '?'}` : '';
    lines.push(`    ${batch.batchId ?? '(not submitted)'} ${batch.provider} ${batch.status}${batch.rawStatus ? `/${batch.rawStatus}` : ''}${progress}`);
  }
  lines.push(`  cost so far: $${report.cost.usd.toFixed(4)} (${report.cost.inputTokens} in, ${report.cost.outputTokens} out tokens)`);
  return lines.join('\n');
}

import { formatUsd } from '../../cost/cost.js';
import type { ShowReport } from '../commands/show.js';
import { terminalSafeLines } from './terminal-text.js';

const SAMPLE_WIDTH = 400;

/** A version at a glance: where it is, what it holds, what it cost, and a few rows. */
export function renderShow(report: ShowReport): string {
  const splits = Object.entries(report.splits)
    .map(([split, rows]) => `${split} ${rows}`)
    .join(', ');
  const lines = [
    `${report.dataset}@${report.datasetVersion}  ${report.format}  ${report.rows} rows (${splits})${report.unmapped ? `, ${report.unmapped} records unmapped` : ''}`,
    `  path:    ${report.dir}`,
    `  created: ${report.createdAt}${report.parentVersion ? `  (after ${report.parentVersion})` : ''}`,
    `  content: ${report.contentHash}`,
  ];
  if (report.recipe.path) lines.push(`  recipe:  ${report.recipe.path}${report.recipe.sha256 ? ` (sha256 ${report.recipe.sha256.slice(0, 12)})` : ''}`);
  if (report.models.length) lines.push(`  models:  ${report.models.join(', ')}`);
  const cost = report.cost;
  lines.push(`  cost:    ${formatUsd(cost.usd)} (${cost.inputTokens} in / ${cost.outputTokens} out tokens, ${cost.requests} requests)`);
  lines.push(`  files:   ${report.files.length} (${[...new Set(report.files.map((file) => file.format))].join(', ')}), ${formatBytes(report.files.reduce((sum, file) => sum + file.bytes, 0))}`);
  if (report.steps.length) {
    lines.push('steps:');
    for (const step of report.steps) {
      const flow = step.input !== undefined ? `${step.input} → ${step.output ?? '?'}` : '';
      const extra = [
        step.model ?? '',
        step.invalid ? `${step.invalid} invalid` : '',
        step.duplicates ? `${step.duplicates} duplicates` : '',
        step.filtered ? `${step.filtered} filtered` : '',
      ].filter(Boolean);
      lines.push(`  ${step.name} [${step.kind}] ${flow}${extra.length ? `  ${extra.join(', ')}` : ''}`);
    }
  }
  if (report.samples.length) {
    lines.push('samples:');
    for (const sample of report.samples) lines.push(`  [${sample.split}] ${truncate(JSON.stringify(sample.row), SAMPLE_WIDTH)}`);
  }
  return terminalSafeLines(lines.join('\n'));
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

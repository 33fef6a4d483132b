import type { VersionDiff } from '../../dataset/diff-versions.js';
import type { StepView } from '../../dataset/manifest-views.js';
import { terminalSafeLines } from './terminal-text.js';

/** The diff in a few lines: totals, the first ids of each kind, then splits and steps side by side. */
export function renderDiff(diff: VersionDiff): string {
  const { counts } = diff;
  const lines = [
    `${diff.dataset} ${diff.from.version} → ${diff.to.version}: ${diff.from.rows} → ${diff.to.rows} rows` +
      (diff.identical ? ' (identical data files)' : ''),
    `  samples: ${counts.added} added, ${counts.removed} removed, ${counts.changed} changed, ${counts.unchanged} unchanged` +
      (counts.movedSplit ? `; ${counts.movedSplit} moved to another split` : ''),
  ];
  for (const [label, ids, total] of [
    ['added', diff.added, counts.added],
    ['removed', diff.removed, counts.removed],
    ['changed', diff.changed, counts.changed],
  ] as const) {
    if (ids.length) lines.push(`  ${label}: ${ids.join(', ')}${total > ids.length ? `, … (${total - ids.length} more)` : ''}`);
  }
  lines.push(`  splits: ${diff.splits.map((split) => `${split.split} ${split.from} → ${split.to}`).join(', ')}`);
  if (diff.steps.length) {
    lines.push('  steps:');
    for (const step of diff.steps) lines.push(`    ${step.name} [${step.kind}]: ${describe(step.from)} → ${describe(step.to)}`);
  }
  return terminalSafeLines(lines.join('\n'));
}

function describe(step: StepView | undefined): string {
  if (!step) return '(absent)';
  const parts = [`${step.input ?? '?'} in, ${step.output ?? '?'} out`];
  if (step.invalid) parts.push(`${step.invalid} invalid`);
  if (step.duplicates) parts.push(`${step.duplicates} duplicates`);
  if (step.filtered) parts.push(`${step.filtered} filtered`);
  return parts.join(', ');
}

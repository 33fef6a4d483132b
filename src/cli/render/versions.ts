import { formatUsd } from '../../cost/cost.js';
import type { VersionsReport } from '../commands/versions.js';
import { terminalSafeLines } from './terminal-text.js';

/** One line per version: tag, date, rows per split, format, cost, content hash prefix. */
export function renderVersions(report: VersionsReport): string {
  if (report.versions.length === 0) return `${report.dataset}: no versions yet in ${report.outputsRoot}`;
  const lines = [`${report.dataset} (${report.versions.length} version${report.versions.length === 1 ? '' : 's'} in ${report.outputsRoot})`];
  for (const entry of report.versions) {
    const splits = Object.entries(entry.splits)
      .map(([split, rows]) => `${split} ${rows}`)
      .join(', ');
    lines.push(
      `  ${entry.version.padEnd(5)} ${entry.createdAt.slice(0, 19).replace('T', ' ')}  ${entry.rows} rows (${splits})  ${entry.format}  ` +
        `${formatUsd(entry.costUsd)}  ${entry.contentHash.slice(0, 12)}${entry.unmapped ? `  ${entry.unmapped} unmapped` : ''}`,
    );
  }
  return terminalSafeLines(lines.join('\n'));
}

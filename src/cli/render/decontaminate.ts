import type { DecontaminateVersionReport } from '../../engine/decontaminate-version.js';
import { terminalSafeLines } from './terminal-text.js';

export function renderDecontaminate(report: DecontaminateVersionReport): string {
  const target = report.reusedExisting ? `${report.version} (unchanged: equal to the latest version)` : report.version;
  const lines = [
    `${report.dataset}@${report.from} → ${report.dataset}@${target}: ${report.checked} rows checked against ${report.evalItems} evaluation items, ` +
      `${report.removed} removed, ${report.kept} kept`,
  ];
  if (report.removed > 0 && !report.reusedExisting) lines.push(`  removed rows and what they matched: ${report.dir}/rejects.jsonl`);
  return terminalSafeLines(lines.join('\n'));
}

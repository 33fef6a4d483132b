import type { ExportReport } from '../../dataset/export-dataset.js';
import { terminalSafeLines } from './terminal-text.js';

export function renderExport(report: ExportReport): string {
  const lines = [
    `${report.dataset}@${report.datasetVersion}${report.split ? ` [${report.split}]` : ''} (${report.from}) → ${report.file}: ` +
      `${report.rows} ${report.to} rows as ${report.fileType}, ${report.bytes} bytes, sha256 ${report.sha256.slice(0, 12)}`,
  ];
  if (report.skipped) {
    lines.push(`  ${report.skipped} row(s) could not be converted and were left out, e.g.`);
    for (const example of report.skippedExamples) lines.push(`    ${example}`);
  }
  return terminalSafeLines(lines.join('\n'));
}

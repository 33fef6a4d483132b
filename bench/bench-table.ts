// Table printing and number formatting shared by the scale benchmarks (markdown tables, so a run's
// output can be pasted into bench/README.md as is).

export function printTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  const cells = [headers.map(String), ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]): string =>
    `| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  console.log(line(cells[0]!));
  console.log(`|${widths.map((width, column) => (column === 0 ? ':' : '') + '-'.repeat(width + 1) + (column === 0 ? '' : ':')).join('|')}|`);
  for (const row of cells.slice(1)) console.log(line(row));
}

export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function formatMiB(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

export function formatSeconds(seconds: number): string {
  return seconds >= 100 ? seconds.toFixed(0) : seconds >= 10 ? seconds.toFixed(1) : seconds.toFixed(2);
}

export function formatRatio(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
}

/** CPU microseconds per item: what other load on a shared machine cannot inflate much. */
export function formatMicros(cpuSeconds: number, items: number): string {
  return items === 0 ? '–' : ((cpuSeconds * 1e6) / items).toFixed(1);
}

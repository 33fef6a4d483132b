// Table printing and number formatting shared by the scale benchmarks (markdown tables, so a run's
// output can be pasted into bench/README.md as is), and the one-line summaries every benchmark ends with.
import { availableParallelism } from 'node:os';

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

/** What one `summary` line carries: the benchmark's name and its figures for one measured case. */
export type SummaryFigures = Readonly<Record<string, number | string>>;

/**
 * Prints the machine-readable line of one measured case, for comparing runs with a script:
 * `summary <bench> key=value … cores=N`, one line per case after the tables. Keys are lowercase
 * snake_case; values are plain numbers (no thousands separators, at most 3 decimals) or words
 * without spaces; `cores` (os.availableParallelism()) is always last.
 */
export function printSummary(bench: string, figures: SummaryFigures): void {
  console.log(summaryLine(bench, figures));
}

export function summaryLine(bench: string, figures: SummaryFigures): string {
  const fields = Object.entries({ ...figures, cores: availableParallelism() }).map(([key, value]) => {
    if (!/^[a-z][a-z0-9_]*$/.test(key)) throw new Error(`summary key ${JSON.stringify(key)} is not snake_case`);
    return `${key}=${summaryValue(value)}`;
  });
  return `summary ${bench} ${fields.join(' ')}`;
}

function summaryValue(value: number | string): string {
  if (typeof value === 'string') {
    if (!/^[\w.:/+-]+$/.test(value)) throw new Error(`summary value ${JSON.stringify(value)} must be one word`);
    return value;
  }
  if (!Number.isFinite(value)) return 'nan';
  if (Number.isInteger(value) || Math.abs(value) >= 1000) return String(Math.round(value));
  return String(Number(value.toFixed(3)));
}

/** A free-text case name as one summary word: `ours, WASM kernel, 1 thread` → `ours_wasm_kernel_1_thread`. */
export function summaryWord(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

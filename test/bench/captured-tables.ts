// Helpers for the benchmark smoke tests: capture what a benchmark prints, and read its markdown
// tables back as rows keyed by column header.
import { vi } from 'vitest';

export async function captureLog(work: () => Promise<void>): Promise<string> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
    lines.push(parts.map(String).join(' '));
  });
  try {
    await work();
  } finally {
    spy.mockRestore();
  }
  return lines.join('\n');
}

/** Every table in `text` whose first header cell is `firstHeader`, as rows of header → cell. */
export function tableRows(text: string, firstHeader: string): Record<string, string>[] {
  const lines = text.split('\n');
  const rows: Record<string, string>[] = [];
  for (let index = 0; index < lines.length; index++) {
    const headers = cellsOf(lines[index]!);
    if (headers?.[0] !== firstHeader || !/^\|:?-/.test(lines[index + 1] ?? '')) continue;
    for (let row = index + 2; row < lines.length && lines[row]!.startsWith('|'); row++) {
      const cells = cellsOf(lines[row]!)!;
      rows.push(Object.fromEntries(headers.map((header, column) => [header, cells[column] ?? ''])));
    }
  }
  return rows;
}

/** `1,234` → 1234, `12.5×` → 12.5, `98 MiB` → 98. */
export function numberIn(cell: string | undefined): number {
  const match = /-?[\d,]*\.?\d+/.exec(cell ?? '');
  return match ? Number(match[0].replaceAll(',', '')) : Number.NaN;
}

function cellsOf(line: string): string[] | undefined {
  if (!line.startsWith('| ')) return undefined;
  return line
    .slice(1, -1)
    .split(' | ')
    .map((cell) => cell.trim());
}

/** The format every benchmark's closing lines follow: `summary <bench> key=value … cores=N`. */
export const SUMMARY_LINE = /^summary [a-z][a-z0-9_-]* (?:[a-z][a-z0-9_]*=[\w.:/+-]+ )*cores=\d+$/;

/**
 * The `summary` lines of a benchmark's output as key → value maps, after checking that each has the
 * summary format and that they are the last lines printed (nothing but blank lines between them).
 */
export function summaryLines(text: string, bench: string): Record<string, string>[] {
  const lines = text.split('\n');
  const first = lines.findIndex((line) => line.startsWith('summary '));
  if (first < 0) throw new Error('no summary line in the output');
  const tail = lines.slice(first).filter((line) => line.trim() !== '');
  for (const line of tail) {
    if (!SUMMARY_LINE.test(line)) throw new Error(`not a summary line: ${JSON.stringify(line)}`);
    if (line.split(' ')[1] !== bench) throw new Error(`summary of another benchmark: ${JSON.stringify(line)}`);
  }
  return tail.map((line) => Object.fromEntries(line.split(' ').slice(2).map((field) => field.split('=') as [string, string])));
}

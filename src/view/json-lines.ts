/**
 * Streamed reads of JSON Lines files for the viewer: one line by its number, the lines that
 * mention a string. Nothing here holds a whole file; a missing file reads as no lines, since run
 * folders may be deleted after a version is published.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

export function jsonLines(path: string, mention?: string): AsyncGenerator<{ line: number; value: Record<string, unknown> }>;
/** `raw`: the lines' text, unparsed (blank lines skipped). */
export function jsonLines(path: string, mention: undefined, raw: true): AsyncGenerator<{ line: number; text: string }>;
export async function* jsonLines(path: string, mention?: string, raw = false): AsyncGenerator<{ line: number; value?: Record<string, unknown>; text?: string }> {
  if (!existsSync(path)) return;
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    // The cheap substring test first: parsing every line of a large file is what costs.
    if (text !== '' && (mention === undefined || text.includes(mention))) yield raw ? { line, text } : { line, value: JSON.parse(text) as Record<string, unknown> };
    line++;
  }
}

/** The first line whose `field` equals `value`. */
export async function findJsonLine(path: string, field: string, value: string): Promise<Record<string, unknown> | undefined> {
  for await (const { value: entry } of jsonLines(path, JSON.stringify(value))) {
    if (entry[field] === value) return entry;
  }
  return undefined;
}

/** Lines `wanted` (0-based) of a file, by number. */
export async function linesAt(path: string, wanted: ReadonlySet<number>): Promise<Map<number, Record<string, unknown>>> {
  const found = new Map<number, Record<string, unknown>>();
  if (wanted.size === 0 || !existsSync(path)) return found;
  const last = Math.max(...wanted);
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    if (wanted.has(line)) found.set(line, JSON.parse(text) as Record<string, unknown>);
    if (line++ >= last) break;
  }
  lines.close();
  return found;
}

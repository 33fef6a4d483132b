import type { Fields } from '../domain.js';
import { seedErrorAt } from './errors.js';
import { NotUtf8Error } from './not-utf8-error.js';
import { readLines } from './read-lines.js';
import type { RawSeed } from './seed-source.js';

/** One JSON object per line; blank lines are skipped and do not count as records. */
export async function* readJsonlSeeds(file: string, sourceIndex: number): AsyncGenerator<RawSeed> {
  let line = 0;
  let ordinal = 0;
  try {
    for await (const text of readLines(file)) {
      line += 1;
      if (text.trim() === '') continue;
      const fields = parseJsonObject(text, file, line, sourceIndex);
      yield { fields, ordinal, position: { file, line } };
      ordinal += 1;
    }
  } catch (error) {
    if (!(error instanceof NotUtf8Error)) throw error;
    throw seedErrorAt({ file, line: error.where.line }, sourceIndex, error.message, { cause: error });
  }
}

function parseJsonObject(text: string, file: string, line: number, sourceIndex: number): Fields {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const column = columnOf(reason);
    const position = column === undefined ? { file, line } : { file, line, column };
    throw seedErrorAt(position, sourceIndex, `malformed JSON: ${reason}`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw seedErrorAt({ file, line }, sourceIndex, `expected a JSON object on each line, found ${describeJson(value)}`);
  }
  return value as Fields;
}

/** V8 says "... at position 12"; a column helps with long lines. Absent when the wording changes. */
function columnOf(reason: string): number | undefined {
  const match = /at position (\d+)/.exec(reason);
  return match?.[1] === undefined ? undefined : Number(match[1]) + 1;
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

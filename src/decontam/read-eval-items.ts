import { lookupFieldPath } from '../dedup/deduper.js';
import { SeedError } from '../seeds/errors.js';
import { formatSeedPosition } from '../seeds/format-seed-position.js';
import { readJsonlSeeds } from '../seeds/read-jsonl.js';
import type { RawSeed } from '../seeds/seed-source.js';
import { DecontamSourceError } from './errors.js';
import type { EvalFile } from './eval-set-files.js';

export interface EvalItem {
  /** The texts to index, one per compared field (n-grams never span two fields). */
  texts: string[];
  /** 1-based line (JSONL, CSV) or row (Parquet) in its file. */
  position: number;
}

/**
 * Streams the items of one evaluation file through the seed readers (so malformed lines and bytes
 * that are not UTF-8 fail as seeds do, at file:line), reduced to the texts to compare: the named
 * `fields` (a dotted path reaches into objects), or every string and list of strings at the top
 * level when none are named. A named field no item of the file has is an error: a misspelt name
 * would otherwise index nothing and find no contamination.
 */
export async function* readEvalItems(file: EvalFile, fields: readonly string[] | undefined): AsyncGenerator<EvalItem> {
  let found = false;
  let items = 0;
  const seen = new Set<string>();
  try {
    for await (const seed of readerOf(file)) {
      items++;
      if (items <= 100) for (const key of Object.keys(seed.fields)) seen.add(key);
      const texts = fields === undefined ? allTexts(seed.fields) : namedTexts(seed.fields, fields);
      if (texts.length > 0) found = true;
      yield { texts, position: positionOf(seed) };
    }
  } catch (error) {
    if (!(error instanceof SeedError)) throw error;
    const where = formatSeedPosition(error.details);
    const problem = error.message.replace(/^.*?: seeds\[-1\]: /, '');
    throw new DecontamSourceError(`${where}: evaluation set: ${problem}`, { file: file.path, ...(error.details.line === undefined ? {} : { line: error.details.line }) }, { cause: error });
  }
  if (items > 0 && !found && fields !== undefined) {
    const known = [...seen].sort().join(', ') || '(none)';
    throw new DecontamSourceError(`${file.path}: no item has the field(s) ${fields.join(', ')} to compare; its items have: ${known}`, { file: file.path });
  }
}

/** The CSV and Parquet readers loaded only for such a file, as seeds load them. */
async function* readerOf(file: EvalFile): AsyncGenerator<RawSeed> {
  if (file.kind === 'jsonl') return yield* readJsonlSeeds(file.path, -1);
  if (file.kind === 'csv') return yield* (await import('../seeds/read-csv.js')).readCsvSeeds(file.path, -1);
  return yield* (await import('../seeds/read-parquet.js')).readParquetSeeds(file.path, -1);
}

function positionOf(seed: RawSeed): number {
  return seed.position.line ?? seed.position.row ?? seed.ordinal + 1;
}

function namedTexts(fields: Record<string, unknown>, names: readonly string[]): string[] {
  const texts: string[] = [];
  for (const name of names) {
    const found = lookupFieldPath(fields, name);
    if (found.found) pushText(texts, found.value, true);
  }
  return texts;
}

/** Without named fields: the strings an evaluation item is made of (question, choices, answer), not its numbers and ids. */
function allTexts(fields: Record<string, unknown>): string[] {
  const texts: string[] = [];
  for (const value of Object.values(fields)) pushText(texts, value, false);
  return texts;
}

function pushText(texts: string[], value: unknown, stringifyOthers: boolean): void {
  if (typeof value === 'string') texts.push(value);
  else if (Array.isArray(value)) for (const element of value) pushText(texts, element, stringifyOthers);
  else if (stringifyOthers && value !== null && value !== undefined) texts.push(typeof value === 'object' ? JSON.stringify(value) : String(value));
}

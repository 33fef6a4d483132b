import { relative, sep } from 'node:path';
import type { SeedPosition, SeedSourceSpec } from './seed-source.js';

/**
 * Where a record was read, as a person looks for it: the file relative to the recipe's folder with
 * its 1-based line (`seeds/x.jsonl:57`; for CSV the line the row starts on), `data.parquet row 5`,
 * or, for sources that have no file, the seed entry and the record's number
 * (`seeds[1] (product) record 5`, `seeds[0] (samplers) record 5`). It travels with the record through every stage, so a record
 * rejected many steps later is still named by its place in the input.
 */
export function recordSource(spec: SeedSourceSpec, sourceIndex: number, position: SeedPosition, baseDir: string): string {
  if (spec.kind === 'inline' || spec.kind === 'product' || spec.kind === 'samplers') return `seeds[${sourceIndex}] (${spec.kind}) record ${position.record ?? '?'}`;
  const file = relative(baseDir, position.file).split(sep).join('/');
  if (position.line !== undefined) return `${file}:${position.line}`;
  if (position.row !== undefined) return `${file} row ${position.row}`;
  return file;
}

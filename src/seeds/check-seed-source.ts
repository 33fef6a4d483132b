import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { seedErrorAt } from './errors.js';
import { checkProductAttributes } from './expand-product.js';
import { checkSamplersSource } from './samplers/check-samplers-source.js';
import { entryPosition, type SeedSourceSpec } from './seed-source.js';

const KINDS = new Set(['inline', 'jsonl', 'csv', 'parquet', 'product', 'samplers']);

/**
 * Everything that can be checked without reading records: options, product lists, inline records,
 * and that each file exists. openSeeds runs it on every source before emitting the first record, so a
 * typo in the third source fails before the first one has been paid for.
 */
export async function checkSeedSource(spec: SeedSourceSpec, sourceIndex: number, baseDir: string): Promise<void> {
  const entry = entryPosition(spec);
  const fail = (problem: string): never => {
    throw seedErrorAt(entry, sourceIndex, problem);
  };
  if (!KINDS.has(spec.kind)) fail(`unknown seed source kind "${String(spec.kind)}"`);
  if (spec.limit !== undefined && !isCount(spec.limit)) {
    fail(`limit must be a non-negative integer, got ${String(spec.limit)}`);
  }
  if (spec.sample !== undefined) {
    if (!isCount(spec.sample.n)) fail(`sample.n must be a non-negative integer, got ${String(spec.sample.n)}`);
    if (!Number.isSafeInteger(spec.sample.seed)) fail(`sample.seed must be an integer, got ${String(spec.sample.seed)}`);
  }
  if (spec.idField !== undefined && (typeof spec.idField !== 'string' || spec.idField === '')) {
    fail('idField must be a non-empty field name');
  }
  switch (spec.kind) {
    case 'inline':
      checkInlineRecords(spec.records, fail);
      return;
    case 'product':
      checkProductAttributes(spec, sourceIndex);
      return;
    case 'samplers':
      checkSamplersSource(spec, fail);
      return;
    default:
      await checkFileExists(spec.path, baseDir, fail);
  }
}

/** Relative seed paths resolve against the recipe's folder, never the working directory. */
export function resolveSeedPath(path: string, baseDir: string): string {
  return resolve(baseDir, path);
}

function checkInlineRecords(records: unknown, fail: (problem: string) => never): void {
  if (!Array.isArray(records)) fail('inline seeds must be a list of records');
  (records as unknown[]).forEach((record, index) => {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      fail(`inline record ${index + 1} is not an object of fields`);
    }
  });
}

async function checkFileExists(written: string, baseDir: string, fail: (problem: string) => never): Promise<void> {
  const file = resolveSeedPath(written, baseDir);
  const hint = isAbsolute(written) ? '' : ` (relative paths resolve against the recipe's folder, ${baseDir})`;
  let isFile: boolean;
  try {
    isFile = (await stat(file)).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') fail(`seed file not found: ${file}${hint}`);
    throw error;
  }
  if (!isFile) fail(`seed path is not a file: ${file}${hint}`);
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

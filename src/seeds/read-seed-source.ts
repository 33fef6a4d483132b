import { SynthforgeError } from '../errors.js';
import { resolveSeedPath } from './check-seed-source.js';
import { seedErrorAt } from './errors.js';
import { entryPosition, type RawSeed, type SeedSourceSpec } from './seed-source.js';
import { expandProduct } from './expand-product.js';
import { readJsonlSeeds } from './read-jsonl.js';
import { sampleInOrder } from './sample-in-order.js';

/** The records of one source after `limit` and `sample`, still without ids. */
export function readSeedSource(spec: SeedSourceSpec, sourceIndex: number, baseDir: string): AsyncIterable<RawSeed> {
  let records = explainReadFailures(readAll(spec, sourceIndex, baseDir), spec, sourceIndex, baseDir);
  if (spec.limit !== undefined) records = takeFirst(records, spec.limit);
  if (spec.sample !== undefined) records = sampleInOrder(records, spec.sample.n, spec.sample.seed);
  return records;
}

async function* readAll(spec: SeedSourceSpec, sourceIndex: number, baseDir: string): AsyncGenerator<RawSeed> {
  switch (spec.kind) {
    case 'inline': {
      const entry = entryPosition(spec);
      for (const [ordinal, record] of spec.records.entries()) {
        yield { fields: { ...record }, ordinal, position: { ...entry, record: ordinal + 1 } };
      }
      return;
    }
    case 'product':
      yield* expandProduct(spec);
      return;
    case 'samplers': {
      // Loaded when a recipe samples: faker's locales (≈ 0.25 s to load) would otherwise be paid by
      // every command and every process that reads seeds of another kind.
      const { sampleRecords } = await import('./samplers/sample-records.js');
      yield* sampleRecords(spec);
      return;
    }
    case 'jsonl':
      yield* readJsonlSeeds(resolveSeedPath(spec.path, baseDir), sourceIndex);
      return;
    // The CSV and Parquet readers are loaded when a recipe reads such a file, for the same reason
    // (≈ 0.02 and 0.05 s, the latter with its decompressors' WebAssembly).
    case 'csv': {
      const { readCsvSeeds } = await import('./read-csv.js');
      yield* readCsvSeeds(resolveSeedPath(spec.path, baseDir), sourceIndex, spec.delimiter);
      return;
    }
    case 'parquet': {
      const { readParquetSeeds } = await import('./read-parquet.js');
      yield* readParquetSeeds(resolveSeedPath(spec.path, baseDir), sourceIndex);
      return;
    }
  }
}

/** A file that exists but cannot be read (permissions, a disk error) still names the seed source. */
async function* explainReadFailures(
  records: AsyncIterable<RawSeed>,
  spec: SeedSourceSpec,
  sourceIndex: number,
  baseDir: string,
): AsyncGenerator<RawSeed> {
  try {
    yield* records;
  } catch (error) {
    if (!('path' in spec) || !isSystemError(error)) throw error;
    const file = resolveSeedPath(spec.path, baseDir);
    throw seedErrorAt({ file }, sourceIndex, `cannot read seed file: ${error.message}`, { cause: error });
  }
}

function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && !SynthforgeError.isInstance(error);
}

/** Stops pulling from the reader after `count` records, which closes its file. */
async function* takeFirst(records: AsyncIterable<RawSeed>, count: number): AsyncGenerator<RawSeed> {
  if (count === 0) return;
  let taken = 0;
  for await (const record of records) {
    yield record;
    taken += 1;
    if (taken >= count) return;
  }
}

import type { DataRecord } from '../domain.js';
import { checkSeedSource } from './check-seed-source.js';
import { seedErrorAt } from './errors.js';
import { findTooDeep, MAX_NESTING } from './find-too-deep.js';
import { productRecordCount } from './expand-product.js';
import { readSeedSource } from './read-seed-source.js';
import { recordSource } from './record-source.js';
import { SeedIdRegistry, seedIdOf } from './seed-ids.js';
import type { SeedSourceSpec } from './seed-source.js';

export interface OpenSeedsOptions {
  /** The recipe file's folder: relative seed paths resolve against it. */
  baseDir: string;
}

/**
 * Streams the records of every source, concatenated in order. Files are read as they are consumed
 * (one line, CSV row or Parquet row group at a time), so memory does not grow with file size, except
 * for `sample` (holds n records) and `idField` (remembers every id to reject duplicates).
 * Every source is checked (options, product lists, files exist) before the first record is emitted.
 * A record nested deeper than MAX_NESTING levels is refused here, whatever its source, because every
 * later stage walks records recursively.
 */
export function openSeeds(sources: SeedSourceSpec[], options: OpenSeedsOptions): AsyncIterable<DataRecord> {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const { record } of openIndexedSeeds(sources, options)) yield record;
    },
  };
}

/**
 * How many records each source yields, after limit and sampling. Files are read once; a product is
 * counted from the lengths of its lists, never expanded, and a samplers source from its `count` (unless a source takes ids from a field, when
 * every id must be seen to find duplicates).
 */
export async function countSeeds(
  sources: SeedSourceSpec[],
  options: OpenSeedsOptions,
): Promise<{ total: number; perSource: number[] }> {
  const perSource = sources.map(() => 0);
  const idsChecked = sources.some((spec) => spec.idField !== undefined);
  const arithmetic = (spec: SeedSourceSpec): boolean => !idsChecked && (spec.kind === 'product' || spec.kind === 'samplers');
  for (const [sourceIndex, spec] of sources.entries()) {
    await checkSeedSource(spec, sourceIndex, options.baseDir);
    if (spec.kind === 'product' && arithmetic(spec)) perSource[sourceIndex] = productRecordCount(spec).records;
    if (spec.kind === 'samplers' && arithmetic(spec)) perSource[sourceIndex] = sampledRecordCount(spec);
  }
  const read = sources.map((spec) => (arithmetic(spec) ? { ...spec, limit: 0 } : spec));
  for await (const { sourceIndex } of openIndexedSeeds(read, options)) {
    perSource[sourceIndex] = perSource[sourceIndex]! + 1;
  }
  return { total: perSource.reduce((sum, count) => sum + count, 0), perSource };
}

function sampledRecordCount(spec: SeedSourceSpec & { kind: 'samplers' }): number {
  const limited = Math.min(spec.count, spec.limit ?? Infinity);
  return spec.sample === undefined ? limited : Math.min(limited, spec.sample.n);
}

async function* openIndexedSeeds(
  sources: SeedSourceSpec[],
  options: OpenSeedsOptions,
): AsyncGenerator<{ sourceIndex: number; record: DataRecord }> {
  for (const [sourceIndex, spec] of sources.entries()) {
    await checkSeedSource(spec, sourceIndex, options.baseDir);
  }
  // Once any source supplies its own ids, every id (positional ones too) must be checked against
  // them: an idField value could be "s0-000001".
  const registry = sources.some((spec) => spec.idField !== undefined) ? new SeedIdRegistry() : undefined;
  for (const [sourceIndex, spec] of sources.entries()) {
    for await (const seed of readSeedSource(spec, sourceIndex, options.baseDir)) {
      if (findTooDeep(seed.fields) !== undefined) {
        throw seedErrorAt(seed.position, sourceIndex, `the record nests deeper than ${MAX_NESTING} levels (lists and objects); flatten it`);
      }
      const id = seedIdOf(seed, sourceIndex, spec.idField);
      registry?.register(id, seed, sourceIndex);
      const source = recordSource(spec, sourceIndex, seed.position, options.baseDir);
      yield { sourceIndex, record: { id, fields: seed.fields, seedId: id, source, lineage: [] } };
    }
  }
}

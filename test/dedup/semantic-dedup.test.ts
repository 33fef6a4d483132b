import { describe, expect, it } from 'vitest';
import { createDeduper, type DedupStats, type DedupVerdict } from '../../src/dedup/deduper.js';
import { DEFAULT_MAX_INDEX_MB, parseDedupSpec, resolveDedupConfig, SEMANTIC_AUTO_LSH_ABOVE } from '../../src/dedup/dedup-spec.js';
import { dedupStream } from '../../src/dedup/dedup-stream.js';
import { generatePlantedVectors } from '../../bench/semantic.bench.js';
import { asyncOf, range, wordsText } from './fixtures.js';

type Row = { id: string; fields: Record<string, unknown> };

/** A unit-ish vector pointing mostly along axis `axis` (plus a little of `wobble`), in 8 dimensions. */
function along(axis: number, wobble = 0): number[] {
  return Array.from({ length: 8 }, (_, index) => (index === axis ? 1 : index === (axis + 1) % 8 ? wobble : 0));
}

const longText = wordsText(range(0, 120));
const nearText = wordsText([...range(0, 119), 5000]);

/** One record per outcome; b's vector never enters the semantic index, so e (close to it) is kept. */
const stageRows: Row[] = [
  { id: 'a', fields: { text: longText, vector: along(0) } },
  { id: 'b', fields: { text: longText.toUpperCase(), vector: along(1) } },
  { id: 'c', fields: { text: nearText, vector: along(2) } },
  { id: 'd', fields: { text: wordsText(range(300, 400)), vector: along(0, 0.1) } },
  { id: 'e', fields: { text: wordsText(range(500, 600)), vector: along(1, 0.1) } },
  { id: 'f', fields: { text: longText, vector: along(0, 0.05) } },
];

const allMethods = parseDedupSpec({ fields: ['text'], near: { threshold: 0.8 }, semantic: { field: 'vector', threshold: 0.95 } });

async function collect(rows: Row[], spec = allMethods, options: Parameters<typeof dedupStream>[2] = {}): Promise<{ verdicts: DedupVerdict[]; stats: DedupStats }> {
  let stats: DedupStats | undefined;
  const verdicts: DedupVerdict[] = [];
  for await (const { verdict } of dedupStream(asyncOf(rows), spec, { ...options, onStats: (final) => (stats = final) })) verdicts.push(verdict);
  return { verdicts, stats: stats! };
}

describe('semantic dedup in a dedup step', () => {
  it('runs exact → near → semantic, each on what the previous kept', async () => {
    const { verdicts, stats } = await collect(stageRows);
    expect(verdicts).toEqual([
      { keep: true },
      { keep: false, reason: 'exact', duplicateOf: 'a' },
      { keep: false, reason: 'near', duplicateOf: 'a', similarity: expect.any(Number) },
      { keep: false, reason: 'semantic', duplicateOf: 'a', similarity: expect.closeTo(1 / Math.hypot(1, 0.1), 5) },
      { keep: true },
      { keep: false, reason: 'exact', duplicateOf: 'a' },
    ]);
    expect(stats).toMatchObject({ checked: 6, exact: 2, near: 1, semantic: 1, kept: 2, references: 0, semanticIndex: 'exact' });
    expect(stats.semanticCompared).toBe(2);
    expect(stats.indexBytes).toBeGreaterThan(0);
    const deduper = await createDeduper(allMethods);
    expect(stageRows.map((row) => deduper.checkRecord(row.id, row.fields))).toEqual(verdicts);
    expect(deduper.stats()).toEqual(stats);
    // The text-and-vector form of check gives the same.
    const byHand = await createDeduper(allMethods);
    expect(stageRows.map((row) => byHand.check(row.id, row.fields.text as string, row.fields.vector as number[]))).toEqual(verdicts);
  });

  it('reads a semantic-only step without building text, starting workers, or needing `fields`', async () => {
    const spec = parseDedupSpec({ semantic: { field: 'meta.vector' } });
    const rows = stageRows.map((row) => ({ id: row.id, fields: { meta: { vector: row.fields.vector } } }));
    const { verdicts, stats } = await collect(rows, spec, { workers: 2 });
    expect(verdicts.map((verdict) => (verdict.keep ? 'keep' : verdict.reason))).toEqual(['keep', 'keep', 'keep', 'semantic', 'semantic', 'semantic']);
    expect(stats).toMatchObject({ checked: 6, exact: 0, near: 0, semantic: 3, kept: 3, largestCluster: 3 });
    const deduper = await createDeduper(spec);
    expect(deduper.kernel).toBe('none');
    expect(deduper.config.semantic).toMatchObject({ field: 'meta.vector', threshold: 0.95, index: 'auto', lshAbove: SEMANTIC_AUTO_LSH_ABOVE });
  });

  it('gives identical verdicts with worker threads sketching the near stage', async () => {
    const planted = generatePlantedVectors({ count: 400, dimension: 16, seed: 2 });
    const rows = planted.vectors.map((vector, index) => ({
      id: `r${String(index).padStart(4, '0')}`,
      fields: { text: wordsText(range(index * 40, index * 40 + 40)), vector: Array.from(vector) },
    }));
    // Some exact copies too, so all three reasons occur.
    for (let index = 50; index < 400; index += 50) rows[index]!.fields.text = rows[index - 7]!.fields.text;
    const single = await collect(rows, allMethods, { chunkSize: 100 });
    const parallel = await collect(rows, allMethods, { chunkSize: 100, workers: 2 });
    expect(parallel.verdicts).toEqual(single.verdicts);
    // Memory is laid out differently with workers (band tables in the workers, batches kept whole).
    expect({ ...parallel.stats, indexBytes: 0 }).toEqual({ ...single.stats, indexBytes: 0 });
    expect(parallel.stats.indexBytes).toBeGreaterThan(0);
    expect(single.stats.exact).toBe(7);
    expect(single.stats.semantic).toBeGreaterThan(30);
  });
});

describe('resolveDedupConfig for semantic', () => {
  const configOf = (semantic: Record<string, unknown>, options = {}) =>
    resolveDedupConfig(parseDedupSpec({ semantic: { field: 'v', ...semantic } }), options).semantic;

  it('chooses the LSH shape from the threshold, with the documented auto switch', () => {
    expect(configOf({})).toEqual({
      field: 'v',
      threshold: 0.95,
      index: 'auto',
      seed: 1,
      lsh: { bits: 14, tables: 14, source: 'chosen', recallAtThreshold: expect.any(Number) },
      lshAbove: SEMANTIC_AUTO_LSH_ABOVE,
      maxVectorBytes: DEFAULT_MAX_INDEX_MB * 2 ** 20,
    });
    expect(configOf({}, { semanticLshAbove: 50, semanticSeed: 3 })).toMatchObject({ lshAbove: 50, seed: 3 });
    expect(configOf({ index: 'lsh', bits: 10, tables: 4 })).toMatchObject({ lsh: { bits: 10, tables: 4, source: 'explicit' }, lshAbove: 0 });
  });

  it('never uses LSH for index: exact, nor for auto where LSH would not pay off', () => {
    expect(configOf({ index: 'exact' })).toEqual({ field: 'v', threshold: 0.95, index: 'exact', seed: 1, maxVectorBytes: DEFAULT_MAX_INDEX_MB * 2 ** 20 });
    expect(configOf({ threshold: 0.6 })?.lsh).toBeUndefined();
    expect(configOf({ threshold: 0.6, index: 'lsh' })?.lsh?.tables).toBeGreaterThan(0);
  });
});

import { describe, expect, it } from 'vitest';
import { generatePlantedVectors, type PlantedVectors } from '../../bench/semantic.bench.js';
import { createDeduper, type DedupStats, type DedupVerdict } from '../../src/dedup/deduper.js';
import { parseDedupSpec, type DeduperOptions, type DedupSpecInput } from '../../src/dedup/dedup-spec.js';
import { dedupStream } from '../../src/dedup/dedup-stream.js';
import { DedupVectorError } from '../../src/dedup/errors.js';
import { SemanticIndex } from '../../src/dedup/semantic-index.js';
import { asyncOf } from './fixtures.js';

type Row = { id: string; fields: Record<string, unknown> };

function semanticSpec(semantic: Partial<NonNullable<DedupSpecInput['semantic']>> = {}) {
  return parseDedupSpec({ semantic: { field: 'vector', ...semantic } });
}

function rowsOf(planted: PlantedVectors, asArrays = false): Row[] {
  return planted.vectors.map((vector, index) => ({ id: `r${index}`, fields: { vector: asArrays ? Array.from(vector) : vector } }));
}

async function streamVerdicts(rows: Row[], spec = semanticSpec(), options: Parameters<typeof dedupStream>[2] = {}): Promise<{ verdicts: DedupVerdict[]; stats: DedupStats }> {
  let stats: DedupStats | undefined;
  const verdicts: DedupVerdict[] = [];
  for await (const { verdict } of dedupStream(asyncOf(rows), spec, { ...options, onStats: (final) => (stats = final) })) verdicts.push(verdict);
  return { verdicts, stats: stats! };
}

async function checkVerdicts(rows: Row[], spec = semanticSpec(), options: DeduperOptions = {}): Promise<DedupVerdict[]> {
  const deduper = await createDeduper(spec, options);
  return rows.map((row) => deduper.checkRecord(row.id, row.fields));
}

/**
 * Semantic dedup written independently of src/dedup: float64, keep-first, compare with every kept
 * vector, drop at cos ≥ threshold naming the most similar kept one.
 */
function oracle(vectors: readonly Float32Array[], threshold: number): { keep: boolean; duplicateOf?: number; similarity?: number }[] {
  const kept: { index: number; unit: Float64Array }[] = [];
  return vectors.map((vector, index) => {
    const norm = Math.sqrt(vector.reduce((sum, component) => sum + component * component, 0));
    const unit = Float64Array.from(vector, (component) => component / norm);
    let best = -2;
    let bestIndex = -1;
    for (const candidate of kept) {
      let dot = 0;
      for (let component = 0; component < unit.length; component++) dot += unit[component]! * candidate.unit[component]!;
      if (dot > best) {
        best = dot;
        bestIndex = candidate.index;
      }
    }
    if (best >= threshold) return { keep: false, duplicateOf: bestIndex, similarity: best };
    kept.push({ index, unit });
    return { keep: true };
  });
}

function dropped(verdicts: readonly DedupVerdict[]): Set<number> {
  return new Set(verdicts.flatMap((verdict, index) => (verdict.keep ? [] : [index])));
}

function cosine(left: Float32Array, right: Float32Array): number {
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  for (let index = 0; index < left.length; index++) {
    dot += left[index]! * right[index]!;
    leftNorm += left[index]! ** 2;
    rightNorm += right[index]! ** 2;
  }
  return dot / Math.sqrt(leftNorm * rightNorm);
}

let recallSet: { planted: PlantedVectors; rows: Row[]; exact: DedupVerdict[] } | undefined;

/** 6,000 planted vectors × 128 and their exact-index verdicts, shared by the recall tests. */
async function plantedRecallSet(): Promise<NonNullable<typeof recallSet>> {
  if (recallSet === undefined) {
    const planted = generatePlantedVectors({ count: 6000, dimension: 128, seed: 21 });
    const rows = rowsOf(planted);
    recallSet = { planted, rows, exact: (await streamVerdicts(rows, semanticSpec({ index: 'exact' }))).verdicts };
  }
  return recallSet;
}

describe('semantic dedup, exact index', () => {
  it('agrees with an independent float64 brute force, verdict by verdict', async () => {
    const planted = generatePlantedVectors({ count: 2000, dimension: 32, seed: 3 });
    const expected = oracle(planted.vectors, 0.95);
    const { verdicts } = await streamVerdicts(rowsOf(planted, true), semanticSpec({ index: 'exact' }));
    expect(verdicts.map((verdict) => verdict.keep)).toEqual(expected.map((verdict) => verdict.keep));
    verdicts.forEach((verdict, index) => {
      if (verdict.keep) return;
      expect(verdict).toEqual({ keep: false, reason: 'semantic', duplicateOf: `r${expected[index]!.duplicateOf}`, similarity: expect.any(Number) });
      expect(Math.abs(verdict.similarity! - expected[index]!.similarity!)).toBeLessThan(1e-5);
    });
  });

  it('drops every planted copy, keeps every base and decoy, and names the source', async () => {
    const { planted, exact } = await plantedRecallSet();
    let copies = 0;
    planted.kinds.forEach((kind, index) => {
      const verdict = exact[index]!;
      if (kind !== 'copy') {
        expect(verdict.keep, `${kind} r${index}`).toBe(true);
        return;
      }
      copies++;
      expect(verdict).toMatchObject({ keep: false, reason: 'semantic', duplicateOf: `r${planted.sources[index]}` });
      expect(verdict.keep === false && verdict.similarity).toBeCloseTo(planted.cosines[index]!, 5);
    });
    expect(copies).toBeGreaterThan(1000);
  });

  it('gives identical verdicts one record at a time, in batches, across small blocks, and with the JavaScript kernel', async () => {
    const planted = generatePlantedVectors({ count: 1500, dimension: 20, seed: 4 });
    const rows = rowsOf(planted);
    const spec = semanticSpec({ index: 'exact' });
    const reference = (await streamVerdicts(rows, spec)).verdicts;
    expect(dropped(reference).size).toBeGreaterThan(200);
    expect(await checkVerdicts(rows, spec)).toEqual(reference);
    expect((await streamVerdicts(rows, spec, { chunkSize: 7 })).verdicts).toEqual(reference);
    expect(await checkVerdicts(rows, spec, { wasm: false })).toEqual(reference);
    const smallBlocks = new SemanticIndex(
      { field: 'vector', threshold: 0.95, index: 'exact', seed: 1, maxVectorBytes: Number.POSITIVE_INFINITY },
      { blockCapacity: 100 },
    );
    expect(smallBlocks.decideBatch(rows.map((row) => row.id), rows.map((row) => row.fields.vector), false)).toEqual(reference);
  });

  it('normalises: a scaled copy is a duplicate at similarity 1, also at threshold 1', async () => {
    const base = [0.3, -1.2, 2.5, 0.01, 7];
    const rows: Row[] = [
      { id: 'a', fields: { vector: base } },
      { id: 'b', fields: { vector: base.map((component) => component * 1000) } },
      { id: 'c', fields: { vector: base.map((component, index) => component + (index === 0 ? 0.05 : 0)) } },
      { id: 'd', fields: { vector: base.map((component) => -component) } },
    ];
    const verdicts = await checkVerdicts(rows, semanticSpec({ threshold: 1 }));
    expect(verdicts[0]).toEqual({ keep: true });
    expect(verdicts[1]).toEqual({ keep: false, reason: 'semantic', duplicateOf: 'a', similarity: expect.closeTo(1, 6) });
    expect(verdicts[2]).toEqual({ keep: true });
    expect(verdicts[3]).toEqual({ keep: true });
    expect((verdicts[1] as { similarity: number }).similarity).toBeLessThanOrEqual(1);
    // At 0.95 the slightly moved copy matches too, and names the closest kept vector.
    const loose = await checkVerdicts(rows, semanticSpec({ threshold: 0.95 }));
    expect(loose[2]).toMatchObject({ keep: false, duplicateOf: 'a' });
  });
});

describe('semantic dedup, LSH index', () => {
  it('has recall ≥ 0.95 against exact search on planted near-identical vectors, and never matches below the threshold', async () => {
    const { planted, rows, exact } = await plantedRecallSet();
    const { verdicts, stats } = await streamVerdicts(rows, semanticSpec({ index: 'lsh' }));
    expect(stats.semanticIndex).toBe('lsh');
    const exactDrops = dropped(exact);
    const lshDrops = dropped(verdicts);
    const found = [...exactDrops].filter((index) => lshDrops.has(index)).length;
    expect(found / exactDrops.size).toBeGreaterThanOrEqual(0.95);
    const byId = new Map(rows.map((row, index) => [row.id, index]));
    for (const index of lshDrops) {
      const verdict = verdicts[index] as Extract<DedupVerdict, { keep: false }>;
      const original = byId.get(verdict.duplicateOf)!;
      expect(original).toBeLessThan(index);
      expect(verdicts[original]!.keep).toBe(true);
      expect(cosine(planted.vectors[index]!, planted.vectors[original]!)).toBeGreaterThanOrEqual(0.95 - 1e-5);
    }
    // It is an index, not a scan: a few candidates per record instead of every kept vector.
    expect(stats.semanticCompared).toBeLessThan(rows.length * 20);
  });

  it('is deterministic and kernel-independent', async () => {
    const planted = generatePlantedVectors({ count: 3000, dimension: 48, seed: 8 });
    const rows = rowsOf(planted);
    const spec = semanticSpec({ index: 'lsh' });
    const first = (await streamVerdicts(rows, spec)).verdicts;
    expect((await streamVerdicts(rows, spec)).verdicts).toEqual(first);
    expect(await checkVerdicts(rows, spec)).toEqual(first);
    expect(await checkVerdicts(rows, spec, { wasm: false })).toEqual(first);
    // Another hyperplane seed may find a slightly different subset, never a pair below the threshold.
    const reseeded = await checkVerdicts(rows, spec, { semanticSeed: 99 });
    expect(reseeded.filter((verdict) => !verdict.keep).every((verdict) => !verdict.keep && verdict.similarity! >= 0.95 - 1e-5)).toBe(true);
  });

  it('switches from exact to LSH under index: auto at the configured size, identically in any batching', async () => {
    const planted = generatePlantedVectors({ count: 3000, dimension: 48, seed: 9 });
    const rows = rowsOf(planted);
    const spec = semanticSpec();
    const streamed = await streamVerdicts(rows, spec, { semanticLshAbove: 700, chunkSize: 500 });
    expect(streamed.stats.semanticIndex).toBe('lsh');
    expect(await checkVerdicts(rows, spec, { semanticLshAbove: 700 })).toEqual(streamed.verdicts);
    const exact = (await streamVerdicts(rows, semanticSpec({ index: 'exact' }))).verdicts;
    // Until the store holds 700 vectors, auto is the exact scan.
    let keptSoFar = 0;
    let index = 0;
    for (; index < rows.length && keptSoFar < 700; index++) {
      expect(streamed.verdicts[index]).toEqual(exact[index]);
      if (exact[index]!.keep) keptSoFar++;
    }
    expect(index).toBeGreaterThan(700);
    const { stats } = await streamVerdicts(rows, spec);
    expect(stats.semanticIndex).toBe('exact');
  });
});

describe('semantic dedup, bad vectors and references', () => {
  it('stops at a record whose vector cannot be compared, naming it', async () => {
    const good = { vector: [1, 0, 0] };
    const cases: [unknown, RegExp][] = [
      [undefined, /record r1 is missing/],
      ['[1, 2, 3]', /record r1 is a string/],
      [[1, 2], /record r1 has 2 dimensions, but the vectors before it have 3/],
      [[0, 0, 0], /record r1 is all zeros/],
      [[1, null, 0], /record r1 has null at index 1/],
    ];
    for (const [vector, message] of cases) {
      const rows: Row[] = [
        { id: 'r0', fields: good },
        { id: 'r1', fields: vector === undefined ? {} : { vector } },
      ];
      await expect(streamVerdicts(rows)).rejects.toThrow(message);
      const deduper = await createDeduper(semanticSpec());
      deduper.checkRecord('r0', good);
      expect(() => deduper.checkRecord('r1', rows[1]!.fields)).toThrow(DedupVectorError);
    }
  });

  it('does not let a rejected first vector fix the dimension', async () => {
    const deduper = await createDeduper(semanticSpec());
    expect(() => deduper.checkRecord('bad', { vector: [0, 0] })).toThrow(DedupVectorError);
    expect(deduper.checkRecord('good', { vector: [1, 2, 3] })).toEqual({ keep: true });
  });

  it('drops records that duplicate a reference (an earlier version), naming it, and skips references without a vector', async () => {
    const planted = generatePlantedVectors({ count: 1200, dimension: 24, seed: 12 });
    const rows = rowsOf(planted, true);
    const references = rows.slice(0, 600).map((row) => ({ id: `v1:${row.id}`, fields: row.fields }));
    references.push({ id: 'v1:no-vector', fields: {} });
    const { verdicts, stats } = await streamVerdicts(rows.slice(600), semanticSpec(), { references: asyncOf(references) });
    const whole = await checkVerdicts(rows);
    // The same decisions as deduplicating both versions as one stream, with the old half never emitted.
    verdicts.forEach((verdict, index) => {
      const expected = whole[600 + index]!;
      if (expected.keep) return expect(verdict).toEqual(expected);
      expect(verdict).toEqual({ ...expected, duplicateOf: Number(expected.duplicateOf.slice(1)) < 600 ? `v1:${expected.duplicateOf}` : expected.duplicateOf });
    });
    expect(verdicts.some((verdict) => !verdict.keep && verdict.duplicateOf.startsWith('v1:'))).toBe(true);
    expect(stats).toMatchObject({ checked: 600, references: 600, semanticSkippedReferences: 1 });
    expect(stats.kept + stats.semantic).toBe(600);

    const deduper = await createDeduper(semanticSpec());
    deduper.addReference('old', '', [1, 2, 3]);
    deduper.addReference('old-without-vector', '');
    expect(deduper.check('new', '', [2, 4, 6.0001])).toMatchObject({ keep: false, reason: 'semantic', duplicateOf: 'old' });
    expect(() => deduper.addReference('old-bad', '', [1, 2])).toThrow(DedupVectorError);
  });
});

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generatePlantedVectors } from '../../bench/semantic.bench.js';
import type { DedupStats, DedupVerdict } from '../../src/dedup/deduper.js';
import { parseDedupSpec, type SemanticDedupConfig } from '../../src/dedup/dedup-spec.js';
import { dedupStream } from '../../src/dedup/dedup-stream.js';
import { createSplitMix32 } from '../../src/dedup/mix32.js';
import { SemanticIndex, SIMILARITY_TOLERANCE } from '../../src/dedup/semantic-index.js';
import { VectorStore } from '../../src/dedup/vector-store.js';
import { asyncOf } from './fixtures.js';

const directories: string[] = [];
function spillDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'synthforge-vector-spill-test-'));
  directories.push(directory);
  return directory;
}
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

const BLOCK = 50;
const DIMENSION = 20;
const BLOCK_BYTES = BLOCK * DIMENSION * 4;

const exactConfig: SemanticDedupConfig = { field: 'vector', threshold: 0.95, index: 'exact', seed: 1, maxVectorBytes: Number.POSITIVE_INFINITY };
const lshConfig: SemanticDedupConfig = {
  ...exactConfig,
  index: 'lsh',
  lsh: { bits: 6, tables: 12, source: 'explicit', recallAtThreshold: 0.99 },
  lshAbove: 0,
};
const autoConfig: SemanticDedupConfig = { ...lshConfig, index: 'auto', lshAbove: 400 };

/** Verdicts of a SemanticIndex over `vectors` in chunks of `chunk`, with `residentBlocks` blocks of BLOCK vectors held in memory (undefined: unbounded). */
function decideAll(config: SemanticDedupConfig, vectors: readonly Float32Array[], residentBlocks: number | undefined, chunk = 64, directory?: string) {
  const index = new SemanticIndex(config, {
    blockCapacity: BLOCK,
    ...(residentBlocks === undefined ? {} : { maxMemoryBytes: residentBlocks * BLOCK_BYTES }),
    ...(directory === undefined ? {} : { spillDirectory: directory }),
  });
  const verdicts: DedupVerdict[] = [];
  for (let start = 0; start < vectors.length; start += chunk) {
    const end = Math.min(vectors.length, start + chunk);
    const ids = Array.from({ length: end - start }, (_, offset) => `r${start + offset}`);
    verdicts.push(...index.decideBatch(ids, vectors.slice(start, end), false));
  }
  const stats = index.stats();
  index.close();
  return { verdicts, stats, spilledBlocks: stats.spilledBytes / BLOCK_BYTES };
}

describe('VectorStore past its memory cap', () => {
  it.each([true, false])('keeps the newest blocks in memory and gives back every vector and similarity, in scans and one by one (wasm: %s)', (wasm) => {
    const planted = generatePlantedVectors({ count: 730, dimension: DIMENSION, seed: 9 });
    const held = new VectorStore(DIMENSION, { blockCapacity: BLOCK, wasm });
    const capped = new VectorStore(DIMENSION, { blockCapacity: BLOCK, maxMemoryBytes: 3 * BLOCK_BYTES, spillDirectory: spillDirectory(), wasm });
    expect(capped.kind).toBe(wasm ? 'wasm' : 'js');
    for (const vector of planted.vectors) {
      held.append(vector);
      capped.append(vector);
    }
    // 15 blocks, the last one filling: 3 held, 12 spilled, oldest first.
    expect(capped.spilledBlocks).toBe(12);
    expect(capped.blocks.slice(0, 12).every((block) => block === undefined)).toBe(true);
    expect(capped.blocks.slice(12).every((block) => block !== undefined)).toBe(true);
    expect(capped.spilledBytes).toBe(12 * BLOCK_BYTES);
    const query = planted.vectors[17]!;
    for (const index of [0, 49, 50, 333, 599, 600, 729]) {
      expect(Array.from(capped.vectorAt(index))).toEqual(Array.from(planted.vectors[index]!));
      expect(capped.similarity(query, index)).toBe(held.similarity(query, index));
    }
    const scores = (store: VectorStore, from: number, to: number) => {
      const seen: number[][] = [];
      store.forEachTile(from, to, (block, offset, count, first) => seen.push([first, ...block.dots(query, offset, count)]));
      return seen.flatMap(([first, ...values]) => values.map((value, v) => [first! + v, value]));
    };
    for (const [from, to] of [[0, 730], [13, 611], [590, 610], [640, 700]] as const) expect(scores(capped, from, to)).toEqual(scores(held, from, to));
    capped.close();
  });
});

describe('semantic dedup past the vectors’ share of max_index_mb', () => {
  const planted = generatePlantedVectors({ count: 1500, dimension: DIMENSION, seed: 4 });

  for (const [name, config] of [['exact scan', exactConfig], ['LSH candidates', lshConfig], ['auto (exact, then LSH)', autoConfig]] as const) {
    it(`${name}: the same kept set, reasons and duplicate_of with 1 block spilled and with most of them spilled`, () => {
      const held = decideAll(config, planted.vectors, undefined);
      expect(held.stats.dropped).toBeGreaterThan(200);
      expect(held.stats.spilledBytes).toBe(0);
      const blocks = Math.ceil(held.stats.kept / BLOCK);
      const one = decideAll(config, planted.vectors, blocks - 1, 64, spillDirectory());
      expect(one.spilledBlocks).toBe(1);
      expect(one.verdicts).toEqual(held.verdicts);
      expect(one.stats.compared).toBe(held.stats.compared);
      const most = decideAll(config, planted.vectors, 2, 37, spillDirectory());
      expect(most.spilledBlocks).toBe(blocks - 2);
      expect(most.verdicts).toEqual(held.verdicts);
      // One record at a time: every exact query reads the spilled blocks back.
      expect(decideAll(config, planted.vectors.slice(0, 700), 2, 1).verdicts).toEqual(held.verdicts.slice(0, 700));
    });
  }

  /**
   * `a` first, then fillers that push it into the spill file, then `b` close to `a`: at the
   * threshold where b's cosine with a is exactly the cut b is dropped against a, at the next
   * float64 threshold it is kept, whether a is held or spilled.
   */
  for (const [name, config] of [['exact scan', exactConfig], ['LSH candidates', lshConfig]] as const) {
    it(`${name}: a vector at the threshold boundary against a spilled one`, () => {
      const next = createSplitMix32(21);
      const random = () => Float32Array.from({ length: DIMENSION }, () => ((next() >>> 0) / 2 ** 32) * 2 - 1);
      const a = random();
      const b = Float32Array.from(a, (component, index) => component + (index % 3 === 0 ? 0.08 : -0.05));
      const fillers = Array.from({ length: 4 * BLOCK }, () => random());
      const vectors = [a, ...fillers, b];
      const similarity = (() => {
        const probe = decideAll({ ...config, threshold: 0.5 }, [a, b], undefined).verdicts[1]!;
        expect(probe).toMatchObject({ keep: false, duplicateOf: 'r0' });
        return (probe as { similarity: number }).similarity;
      })();
      let cut = similarity + SIMILARITY_TOLERANCE;
      while (cut - SIMILARITY_TOLERANCE > similarity) cut = stepFloat(cut, -1);
      while (stepFloat(cut, 1) - SIMILARITY_TOLERANCE <= similarity) cut = stepFloat(cut, 1);
      for (const [threshold, dropped] of [[cut, true], [stepFloat(cut, 1), false]] as const) {
        const held = decideAll({ ...config, threshold }, vectors, undefined).verdicts;
        const spilled = decideAll({ ...config, threshold }, vectors, 2, 64, spillDirectory());
        expect(spilled.stats.spilledBytes).toBeGreaterThan(0);
        expect(held[vectors.length - 1]).toEqual(dropped ? { keep: false, reason: 'semantic', duplicateOf: 'r0', similarity } : { keep: true });
        expect(spilled.verdicts).toEqual(held);
      }
    });
  }

  it('through dedupStream: max_index_mb bounds the vectors, beside near dedup too, and leaves no file behind', async () => {
    const rows = planted.vectors.map((vector, index) => ({ id: `r${index}`, fields: { text: `document ${index % 700} ${'word '.repeat(index % 13)}`, vector } }));
    const run = async (spec: ReturnType<typeof parseDedupSpec>, maxIndexBytes: number, directory?: string) => {
      let stats: DedupStats | undefined;
      const verdicts: DedupVerdict[] = [];
      const options = { maxIndexBytes, chunkSize: 101, onStats: (final: DedupStats) => (stats = final), ...(directory === undefined ? {} : { spillDirectory: directory }) };
      for await (const { verdict } of dedupStream(asyncOf(rows), spec, options)) verdicts.push(verdict);
      return { verdicts, stats: stats! };
    };
    for (const spec of [
      parseDedupSpec({ semantic: { field: 'vector', index: 'exact' } }),
      parseDedupSpec({ fields: ['text'], near: { threshold: 0.8 }, semantic: { field: 'vector', index: 'lsh' } }),
    ]) {
      const held = await run(spec, 2 ** 40);
      expect(held.stats.indexSpilledBytes).toBe(0);
      expect(held.stats.semantic).toBeGreaterThan(100);
      const directory = spillDirectory();
      const capped = await run(spec, 64 * 1024, directory);
      expect(capped.verdicts).toEqual(held.verdicts);
      expect(capped.stats.indexSpilledBytes).toBeGreaterThan(0);
      expect(readdirSync(directory)).toEqual([]);
    }
  }, 60_000);
});

/** The float64 `steps` representable values above (or below, negative) positive `value`. */
function stepFloat(value: number, steps: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  view.setBigUint64(0, view.getBigUint64(0) + BigInt(steps));
  return view.getFloat64(0);
}

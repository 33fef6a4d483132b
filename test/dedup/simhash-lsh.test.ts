import { describe, expect, it } from 'vitest';
import { createSplitMix32 } from '../../src/dedup/mix32.js';
import { hyperplaneCollisionProbability } from '../../src/dedup/simhash-params.js';
import { SimHashIndex } from '../../src/dedup/simhash-lsh.js';

const DIMENSION = 64;

function randomUnit(next: () => number): Float64Array {
  const vector = Float64Array.from({ length: DIMENSION }, () => next() / 2 ** 31);
  const norm = Math.hypot(...vector);
  return vector.map((component) => component / norm);
}

/** Two unit vectors at exactly `cosine` (float64), as float32. */
function pairAt(cosine: number, seed: number): [Float32Array, Float32Array] {
  const next = createSplitMix32(seed);
  const first = randomUnit(next);
  const noise = randomUnit(next);
  const along = noise.reduce((sum, component, index) => sum + component * first[index]!, 0);
  const orthogonal = noise.map((component, index) => component - along * first[index]!);
  const norm = Math.hypot(...orthogonal);
  const sine = Math.sqrt(1 - cosine * cosine);
  return [Float32Array.from(first), Float32Array.from(first, (component, index) => cosine * component + (sine * orthogonal[index]!) / norm)];
}

describe('SimHashIndex', () => {
  it('puts a pair in the same one-bit bucket with probability 1 − θ/π', () => {
    for (const cosine of [0.3, 0.8, 0.95]) {
      const index = new SimHashIndex({ bits: 1, tables: 512 }, DIMENSION, DIMENSION, 1);
      let equal = 0;
      const pairs = 12;
      for (let pair = 0; pair < pairs; pair++) {
        const [left, right] = pairAt(cosine, 100 + pair);
        const leftKeys = Array.from(index.computeKeys(left));
        const rightKeys = index.computeKeys(right);
        for (let table = 0; table < 512; table++) if (leftKeys[table] === rightKeys[table]) equal++;
      }
      expect(equal / (pairs * 512), `cos ${cosine}`).toBeCloseTo(hyperplaneCollisionProbability(cosine), 1);
      expect(Math.abs(equal / (pairs * 512) - hyperplaneCollisionProbability(cosine))).toBeLessThan(0.02);
    }
  });

  it('returns every indexed vector that shares a bucket, and only those', () => {
    const index = new SimHashIndex({ bits: 12, tables: 8 }, DIMENSION, DIMENSION, 1);
    const [original, copy] = pairAt(0.999, 5);
    const [unrelated] = pairAt(0.1, 6);
    index.computeKeys(original);
    index.insert(0);
    index.computeKeys(unrelated!);
    index.insert(1);
    const seen: number[] = [];
    index.computeKeys(copy);
    index.forEachCandidate((candidate) => seen.push(candidate));
    expect(new Set(seen)).toEqual(new Set([0]));
  });

  it('hashes the same vector to the same keys for the same seed, and to others for another seed', () => {
    const [vector] = pairAt(0.5, 8);
    const keys = (seed: number) => Array.from(new SimHashIndex({ bits: 14, tables: 14 }, DIMENSION, DIMENSION, seed).computeKeys(vector!));
    expect(keys(1)).toEqual(keys(1));
    expect(keys(2)).not.toEqual(keys(1));
    const js = new SimHashIndex({ bits: 14, tables: 14 }, DIMENSION, DIMENSION, 1, { wasm: false });
    expect(Array.from(js.computeKeys(vector!))).toEqual(keys(1));
  });
});

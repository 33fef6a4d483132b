import { LshIndex } from './lsh.js';
import { combine32, createSplitMix32, fmix32 } from './mix32.js';
import type { SimHashParams } from './simhash-params.js';
import { SCAN_TILE, type VectorBlock } from './vector-block.js';
import { createVectorBlock } from './vector-store.js';

/**
 * Random-hyperplane LSH ("SimHash", Charikar 2002) for cosine similarity: the approximate index of
 * semantic dedup once exact scans get expensive (semantic-index.ts).
 *
 * Each of L tables draws b hyperplanes r with independent N(0, 1) components. A unit vector's code
 * in table t is the b bits [r · v ≥ 0], and two vectors at angle θ agree on a bit with probability
 *     p = 1 − θ/π
 * (the hyperplane separates them only if it cuts the angle between them), so they share a bucket in
 * some table with P(cos) = 1 − (1 − p^b)^L; simhash-params.ts chooses b and L from the threshold so
 * that P(threshold) ≥ 0.97. Candidates are then verified with the exact float32 cosine (the same
 * kernel value as an exact scan), so the index never reports a pair below the threshold: it can
 * only miss pairs, with probability 1 − P(cos).
 *
 * Gaussian components (Box–Muller over a SplitMix32 stream, mix32.ts) make the hyperplane direction
 * uniform on the sphere, which is what the 1 − θ/π law needs; the seed fixes them, so the same
 * vectors always give the same buckets. The b·L projections are one dots() call of the kernel
 * (the hyperplanes are stored as a vector block), so hashing a vector costs b·L dot products.
 *
 * Buckets: the open-addressing band table of lsh.ts, one key per table,
 *     key(t) = fmix32(combine32(combine32(TABLE_SEED, t), code_t))
 * (32-bit keys; a spurious collision across tables only adds a candidate that verification
 * rejects). Buckets are read whole: they hold distinct kept vectors, not one cluster, so a fan-out
 * cap as near-dedup uses would lose matches.
 */

const TABLE_SEED = 0x2545f491 | 0;
const HYPERPLANE_SALT = 0x6a09e667 | 0;

export class SimHashIndex {
  /** Keys of the vector last passed to computeKeys. */
  readonly keys: Int32Array;
  private readonly planes: VectorBlock;
  private readonly projections: Float32Array;
  private readonly lsh: LshIndex;

  constructor(
    readonly params: Pick<SimHashParams, 'bits' | 'tables'>,
    readonly dimension: number,
    readonly stride: number,
    seed: number,
    options: { wasm?: boolean } = {},
  ) {
    const count = params.bits * params.tables;
    this.planes = createVectorBlock(stride, count, options);
    const plane = new Float32Array(stride);
    const gaussian = gaussianStream(combine32(seed, HYPERPLANE_SALT));
    for (let index = 0; index < count; index++) {
      for (let component = 0; component < dimension; component++) plane[component] = gaussian();
      this.planes.append(plane);
    }
    this.projections = new Float32Array(count);
    this.keys = new Int32Array(params.tables);
    this.lsh = new LshIndex(params.tables);
  }

  /** Writes the table keys of unit vector `vector` to `this.keys` (and returns it). */
  computeKeys(vector: Float32Array): Int32Array {
    const { bits, tables } = this.params;
    const count = bits * tables;
    for (let from = 0; from < count; from += SCAN_TILE) {
      const tile = Math.min(SCAN_TILE, count - from);
      this.projections.set(this.planes.dots(vector, from, tile), from);
    }
    for (let table = 0; table < tables; table++) {
      let code = 0;
      const base = table * bits;
      for (let bit = 0; bit < bits; bit++) if (this.projections[base + bit]! >= 0) code |= 1 << bit;
      this.keys[table] = fmix32(combine32(combine32(TABLE_SEED, table), code));
    }
    return this.keys;
  }

  /** Every indexed vector sharing a bucket with `this.keys` (a vector may come once per table). */
  forEachCandidate(visit: (index: number) => void): void {
    this.lsh.forEachMember(this.keys, 0, visit);
  }

  /** Indexes vector `index` under `this.keys`; numbers must increase. */
  insert(index: number): void {
    this.lsh.insert(index, this.keys, 0);
  }

  get byteLength(): number {
    return this.planes.byteLength + this.lsh.byteLength;
  }
}

/** Standard normal deviates by Box–Muller; uniforms in (0, 1) from 32-bit SplitMix32 outputs. */
function gaussianStream(seed: number): () => number {
  const next = createSplitMix32(seed);
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    const u1 = ((next() >>> 0) + 0.5) / 4294967296;
    const u2 = ((next() >>> 0) + 0.5) / 4294967296;
    const radius = Math.sqrt(-2 * Math.log(u1));
    spare = radius * Math.sin(2 * Math.PI * u2);
    return radius * Math.cos(2 * Math.PI * u2);
  };
}

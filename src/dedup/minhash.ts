import { SignatureMismatchError, type SignatureIdentity } from './errors.js';
import { createSplitMix32 } from './mix32.js';

/**
 * MinHash (Broder 1997; Leskovec, Rajaraman, Ullman, Mining of Massive Datasets, ch. 3.3).
 *
 * For a set S of shingle hashes and K random permutations π₁…π_K, the signature is
 *     sig_k(S) = min over x ∈ S of π_k(x).
 * For two sets, P[sig_k(A) = sig_k(B)] = J(A, B) = |A ∩ B| / |A ∪ B|, so the fraction of equal
 * slots estimates the Jaccard similarity without bias, with standard error
 *     sqrt(J(1 − J) / K)        (K = 128, J = 0.8: ≈ 0.035).
 *
 * Permutation family: π_k(x) = a_k·x + b_k mod 2^32 with a_k odd, computed with Math.imul and `| 0`
 * (exact 32-bit integer arithmetic, never a double past 2^53), compared as signed int32.
 *   - An odd multiplier is invertible mod 2^32, so π_k is a bijection of the 32-bit words.
 *   - It is only a good min-wise family because x is already fmix32-mixed (shingle.ts): we
 *     measured an RMSE of 0.0369 against the theoretical 0.0369 at K = 128. The Mersenne prime
 *     2^61 − 1 of datasketch buys nothing here (and overflows uint64 in numpy anyway).
 *   - Signed comparison is just another fixed total order; WebAssembly's i32x4.min_s gives the
 *     same result, which is what makes the WASM kernel bit-identical to this one.
 * a_k and b_k come from SplitMix32(seed) in the order a₀, b₀, a₁, b₁, …, with a_k |= 1.
 *
 * SIGNATURE_VERSION names the whole chain from text to slot (normalisation, shingle hashing, this
 * family and its parameter stream). Change any of them and bump it: stored signatures from another
 * version, seed or K are not comparable, and `estimateJaccard` refuses them.
 */
export const SIGNATURE_VERSION = 1;
export const DEFAULT_SEED = 1;
export const DEFAULT_NUM_PERM = 128;

const EMPTY_SLOT = 0x7fffffff;

export interface MinHashParams {
  readonly signatureVersion: number;
  readonly seed: number;
  readonly numPerm: number;
  /** Multipliers a_k (odd). */
  readonly a: Int32Array;
  /** Offsets b_k. */
  readonly b: Int32Array;
}

export interface MinHashSignature {
  readonly signatureVersion: number;
  readonly seed: number;
  readonly numPerm: number;
  readonly values: Int32Array;
}

export function createMinHashParams(numPerm: number = DEFAULT_NUM_PERM, seed: number = DEFAULT_SEED): MinHashParams {
  const next = createSplitMix32(seed);
  const a = new Int32Array(numPerm);
  const b = new Int32Array(numPerm);
  for (let k = 0; k < numPerm; k++) {
    a[k] = next() | 1;
    b[k] = next();
  }
  return { signatureVersion: SIGNATURE_VERSION, seed, numPerm, a, b };
}

/**
 * The JavaScript kernel, and the oracle the WASM kernel is tested against: writes the signature of
 * `shingles[start, start + count)` to `out[outOffset, outOffset + numPerm)`.
 *
 * Permutations are the outer loop, four at a time, so each shingle is loaded once per four
 * multiplies and the four running minima stay in registers.
 */
export function computeSignature(
  params: MinHashParams,
  shingles: Int32Array,
  start: number,
  count: number,
  out: Int32Array,
  outOffset = 0,
): void {
  const { a, b, numPerm } = params;
  const end = start + count;
  let k = 0;
  for (; k + 4 <= numPerm; k += 4) {
    const a0 = a[k]!, a1 = a[k + 1]!, a2 = a[k + 2]!, a3 = a[k + 3]!;
    const b0 = b[k]!, b1 = b[k + 1]!, b2 = b[k + 2]!, b3 = b[k + 3]!;
    let m0 = EMPTY_SLOT, m1 = EMPTY_SLOT, m2 = EMPTY_SLOT, m3 = EMPTY_SLOT;
    for (let index = start; index < end; index++) {
      const x = shingles[index]!;
      const v0 = (Math.imul(a0, x) + b0) | 0;
      const v1 = (Math.imul(a1, x) + b1) | 0;
      const v2 = (Math.imul(a2, x) + b2) | 0;
      const v3 = (Math.imul(a3, x) + b3) | 0;
      if (v0 < m0) m0 = v0;
      if (v1 < m1) m1 = v1;
      if (v2 < m2) m2 = v2;
      if (v3 < m3) m3 = v3;
    }
    out[outOffset + k] = m0;
    out[outOffset + k + 1] = m1;
    out[outOffset + k + 2] = m2;
    out[outOffset + k + 3] = m3;
  }
  for (; k < numPerm; k++) {
    const ak = a[k]!, bk = b[k]!;
    let minimum = EMPTY_SLOT;
    for (let index = start; index < end; index++) {
      const value = (Math.imul(ak, shingles[index]!) + bk) | 0;
      if (value < minimum) minimum = value;
    }
    out[outOffset + k] = minimum;
  }
}

/**
 * Where a signature is computed: the caller writes shingle hashes into `shingleBuffer`, then
 * `sign(count)` returns the signature. Both returned arrays are scratch, valid until the next call.
 */
export interface MinHashKernel {
  readonly kind: 'js' | 'wasm';
  readonly params: MinHashParams;
  shingleBuffer(capacity: number): Int32Array;
  sign(count: number): Int32Array;
}

export class JsMinHashKernel implements MinHashKernel {
  readonly kind = 'js';
  private shingles = new Int32Array(1024);
  private readonly signature: Int32Array;

  constructor(readonly params: MinHashParams) {
    this.signature = new Int32Array(params.numPerm);
  }

  shingleBuffer(capacity: number): Int32Array {
    if (this.shingles.length < capacity) this.shingles = new Int32Array(Math.max(capacity, this.shingles.length * 2));
    return this.shingles;
  }

  sign(count: number): Int32Array {
    computeSignature(this.params, this.shingles, 0, count, this.signature);
    return this.signature;
  }
}

export function identityOf(signature: SignatureIdentity): SignatureIdentity {
  return { signatureVersion: signature.signatureVersion, seed: signature.seed, numPerm: signature.numPerm };
}

/** Throws SignatureMismatchError unless both signatures come from the same hash family. */
export function assertComparable(left: SignatureIdentity, right: SignatureIdentity): void {
  if (left.signatureVersion !== right.signatureVersion || left.seed !== right.seed || left.numPerm !== right.numPerm) {
    throw new SignatureMismatchError(identityOf(left), identityOf(right));
  }
}

/** The MinHash estimate of Jaccard similarity: the fraction of equal slots. */
export function estimateJaccard(left: MinHashSignature, right: MinHashSignature): number {
  assertComparable(left, right);
  const a = left.values;
  const b = right.values;
  let equal = 0;
  for (let k = 0; k < left.numPerm; k++) if (a[k] === b[k]) equal++;
  return equal / left.numPerm;
}

/** Theoretical standard error of the estimate: sqrt(J(1 − J) / numPerm). */
export function estimateStandardError(jaccard: number, numPerm: number): number {
  return Math.sqrt((jaccard * (1 - jaccard)) / numPerm);
}

import { describe, expect, it } from 'vitest';
import { SynthforgeError } from '../../src/errors.js';
import {
  computeSignature,
  createMinHashParams,
  estimateJaccard,
  estimateStandardError,
  SIGNATURE_VERSION,
  type MinHashSignature,
} from '../../src/dedup/minhash.js';
import { fmix32 } from '../../src/dedup/mix32.js';

const params = createMinHashParams(128, 1);

/** Shingle hashes of the integers [from, to), mixed like real shingle hashes. */
function shingleSet(from: number, to: number): Int32Array {
  const out = new Int32Array(to - from);
  for (let value = from; value < to; value++) out[value - from] = fmix32(value * 7919 + 13);
  return out;
}

function sign(shingles: Int32Array, minhash = params): MinHashSignature {
  const values = new Int32Array(minhash.numPerm);
  computeSignature(minhash, shingles, 0, shingles.length, values);
  return { signatureVersion: minhash.signatureVersion, seed: minhash.seed, numPerm: minhash.numPerm, values };
}

describe('MinHash parameters', () => {
  it('are deterministic for a seed, with odd multipliers', () => {
    const again = createMinHashParams(128, 1);
    expect(Array.from(again.a)).toEqual(Array.from(params.a));
    expect(Array.from(again.b)).toEqual(Array.from(params.b));
    expect(params.a.every((a) => (a & 1) === 1)).toBe(true);
    expect(Array.from(createMinHashParams(128, 2).a)).not.toEqual(Array.from(params.a));
  });
});

describe('computeSignature', () => {
  it('ignores order and repeats (a minimum over a set)', () => {
    const shingles = shingleSet(0, 150);
    const shuffled = Int32Array.from([...shingles].reverse().concat([...shingles.subarray(0, 20)]));
    expect(Array.from(sign(shuffled).values)).toEqual(Array.from(sign(shingles).values));
  });

  it('is exact 32-bit arithmetic: every slot is a real a·x+b mod 2^32 of some shingle', () => {
    const shingles = shingleSet(0, 40);
    const signature = sign(shingles);
    for (let k = 0; k < 128; k++) {
      const values = Array.from(shingles, (x) => (Math.imul(params.a[k]!, x) + params.b[k]!) | 0);
      expect(signature.values[k]).toBe(Math.min(...values));
    }
  });

  it('handles a numPerm that is not a multiple of 4', () => {
    const odd = createMinHashParams(7, 3);
    const signature = sign(shingleSet(0, 10), odd);
    expect(signature.values).toHaveLength(7);
    expect(signature.values.every((value) => value !== 0x7fffffff)).toBe(true);
  });
});

describe('estimateJaccard', () => {
  it('estimates known pairs within 4 standard errors, and identical sets exactly', () => {
    const cases = [
      { shared: 150, size: 150 },
      { shared: 140, size: 150 },
      { shared: 120, size: 150 },
      { shared: 75, size: 150 },
      { shared: 20, size: 150 },
      { shared: 0, size: 150 },
    ];
    for (const { shared, size } of cases) {
      const a = shingleSet(0, size);
      const b = shingleSet(size - shared, 2 * size - shared);
      const truth = shared / (2 * size - shared);
      const estimate = estimateJaccard(sign(a), sign(b));
      const tolerance = 4 * estimateStandardError(truth, 128) + 1e-9;
      expect(Math.abs(estimate - truth), `J=${truth.toFixed(3)}`).toBeLessThanOrEqual(tolerance);
    }
  });

  it('has an RMSE within 15% of sqrt(J(1-J)/K) over many pairs', () => {
    let squaredError = 0;
    let variance = 0;
    const pairs = 300;
    for (let pair = 0; pair < pairs; pair++) {
      const size = 100 + (pair % 60);
      const shared = Math.floor(((pair * 37) % 100) / 100 * size);
      const base = pair * 10_000;
      const a = shingleSet(base, base + size);
      const b = shingleSet(base + size - shared, base + 2 * size - shared);
      const truth = shared / (2 * size - shared);
      squaredError += (estimateJaccard(sign(a), sign(b)) - truth) ** 2;
      variance += (truth * (1 - truth)) / 128;
    }
    const ratio = Math.sqrt(squaredError / pairs) / Math.sqrt(variance / pairs);
    expect(ratio).toBeGreaterThan(0.85);
    expect(ratio).toBeLessThan(1.15);
  });

  it('refuses signatures from another seed, size or version, naming both values', () => {
    const a = sign(shingleSet(0, 50));
    const otherSeed = sign(shingleSet(0, 50), createMinHashParams(128, 7));
    const error = (() => {
      try {
        estimateJaccard(a, otherSeed);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(SynthforgeError.isInstance(error)).toBe(true);
    expect((error as SynthforgeError).code).toBe('dedup_signature_mismatch');
    expect((error as Error).message).toContain('seed 1 vs 7');
    expect(() => estimateJaccard(a, sign(shingleSet(0, 50), createMinHashParams(64, 1)))).toThrow(/numPerm 128 vs 64/);
    expect(() => estimateJaccard(a, { ...a, signatureVersion: SIGNATURE_VERSION + 1 })).toThrow(
      new RegExp(`signatureVersion ${SIGNATURE_VERSION} vs ${SIGNATURE_VERSION + 1}`),
    );
  });
});

/**
 * A small deterministic PRNG, so `sample: { n, seed }` picks the same records on every machine and
 * Node version (Math.random cannot be seeded, and float tricks risk platform drift).
 *
 * Generator: xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2018):
 * 128-bit state, period 2^128 − 1, 32-bit outputs, integer-only via Math.imul and >>> 0.
 * Seeding: the seed's low and high 32-bit halves are mixed, then expanded to four state words with
 * splitmix32, which never leaves the all-zero state xoshiro cannot escape.
 * Bounded integers: rejection sampling over 2^32, so every value in [0, m) is exactly equally likely.
 */
export interface SeededRandom {
  /** A uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** A uniform integer in [0, bound), for 1 ≤ bound ≤ 2^32. */
  nextBelow(bound: number): number;
}

const TWO_TO_32 = 2 ** 32;

export function createSeededRandom(seed: number): SeededRandom {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`seed must be a safe integer, got ${seed}`);
  }
  const wide = BigInt(seed);
  const low = Number(BigInt.asUintN(32, wide));
  const high = Number(BigInt.asUintN(32, wide >> 32n));
  let mix = (low ^ Math.imul(high, 0x85ebca6b)) >>> 0;
  const splitmix32 = (): number => {
    mix = (mix + 0x9e3779b9) >>> 0;
    let z = mix;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
  const state: [number, number, number, number] = [splitmix32(), splitmix32(), splitmix32(), splitmix32()];
  if (state.every((word) => word === 0)) state[0] = 1;
  const nextUint32 = xoshiro128StarStar(state);

  const nextBelow = (bound: number): number => {
    if (!Number.isInteger(bound) || bound < 1 || bound > TWO_TO_32) {
      throw new RangeError(`bound must be an integer in [1, 2^32], got ${bound}`);
    }
    const accept = TWO_TO_32 - (TWO_TO_32 % bound);
    let value = nextUint32();
    while (value >= accept) value = nextUint32();
    return value % bound;
  };

  return { nextUint32, nextBelow };
}

/** The raw generator over a given state (exported to check it against the reference outputs). */
export function xoshiro128StarStar(state: readonly [number, number, number, number]): () => number {
  let [s0, s1, s2, s3] = state;
  return () => {
    const result = Math.imul(rotateLeft(Math.imul(s1, 5), 7), 9) >>> 0;
    const shifted = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= shifted;
    s3 = rotateLeft(s3, 11);
    return result;
  };
}

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

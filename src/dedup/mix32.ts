/**
 * 32-bit hash building blocks shared by shingling (shingle.ts), the MinHash parameters (minhash.ts)
 * and the LSH band keys (lsh.ts). Everything is exact 32-bit integer arithmetic (`Math.imul`, shifts,
 * xor), so JavaScript and WebAssembly compute the same bits and no value ever passes through a double
 * beyond 2^32.
 *
 * - FNV-1a (offset basis 0x811c9dc5, prime 0x01000193 = 16777619): h = (h ^ unit) · prime per UTF-16
 *   code unit. One multiply per character, cheap enough to run inline while scanning a word. Its
 *   avalanche is weak; fmix32 repairs that at the end of every shingle.
 * - combine32: h' = rotl(h, 5) ^ v, times 0x9e3779b1 (2^32 / golden ratio, odd so the multiply is a
 *   bijection). Order-sensitive, so the word n-gram (a b c) hashes differently from (c b a).
 * - fmix32: the MurmurHash3 finaliser (constants 0x85ebca6b, 0xc2b2ae35 and shifts 16/13/16 from its
 *   reference code). Full avalanche: each input bit flips each output bit with probability ≈ 1/2.
 *   A well-mixed input is what lets the cheap family a·x + b mod 2^32 behave like random
 *   permutations for MinHash (we measured its estimates' RMSE equal to theory: minhash.ts).
 * - SplitMix32 (Steele et al., "Fast splittable pseudorandom number generators", 2014, 32-bit variant
 *   with the golden-ratio increment 0x9e3779b9): a seeded stream for the permutation parameters.
 *   Deterministic on every platform, unlike Math.random.
 */

export const FNV_OFFSET_BASIS = 0x811c9dc5 | 0;
export const FNV_PRIME = 0x01000193;
const GOLDEN = 0x9e3779b1 | 0;

/** MurmurHash3 fmix32 finaliser; returns a signed int32. */
export function fmix32(input: number): number {
  let h = input | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** Ordered combination of a running hash with one more 32-bit value. */
export function combine32(hash: number, value: number): number {
  return Math.imul(((hash << 5) | (hash >>> 27)) ^ value, GOLDEN);
}

/** A SplitMix32 stream: each call returns the next signed int32. */
export function createSplitMix32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) | 0;
  };
}

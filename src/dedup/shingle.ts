import { combine32, fmix32 } from './mix32.js';
import type { NormalizedText } from './normalize.js';

/**
 * Shingling: a document becomes the set of its overlapping n-grams, each hashed once to a
 * well-mixed 32-bit value (MinHash then permutes these hashes, never the strings).
 *
 * - Word n-grams (default n = 5, as datatrove and text-dedup). A word's hash
 *   is FNV-1a over its code units (computed by the normaliser). The n-gram hash is
 *       fmix32(combine32(…combine32(combine32(n, w₁), w₂)…, wₙ))
 *   i.e. an ordered fold seeded with n, finished with the Murmur3 finaliser (mix32.ts).
 * - Character n-grams (option): the same fold over n consecutive UTF-16 code units of the
 *   normalised text, spaces included. For scripts without spaces, or fields of a few words.
 * - A text with fewer than n units (words, or characters) becomes ONE shingle: the same fold over
 *   all k < n units, seeded with k instead of n. Short texts then match only texts with the very
 *   same units (exact match after normalisation), as in text-dedup; the empty text is one shingle
 *   too, so every document has at least one.
 *
 * Hashes may repeat within a document (a repeated phrase); MinHash is unaffected (a minimum ignores
 * repeats) and the exact Jaccard in jaccard.ts works on sorted, de-duplicated copies.
 *
 * Collisions: two different n-grams share a 32-bit hash with probability 2^-32 per pair, so for
 * two 150-shingle documents a spurious match changes their Jaccard with probability ≈ 150²/2^32,
 * about 5·10^-6.
 */

export interface ShingleOptions {
  ngram: number;
  charNgrams: boolean;
}

/** How many hashes `shingleHashes` writes for this normalised text, an upper bound for the buffer. */
export function shingleCount(text: NormalizedText, options: ShingleOptions): number {
  const units = options.charNgrams ? text.length : text.wordCount;
  return Math.max(1, units - options.ngram + 1);
}

/** Writes the shingle hashes of `text` to `out[0…]` and returns how many. `out` must hold `shingleCount`. */
export function shingleHashes(text: NormalizedText, options: ShingleOptions, out: Int32Array): number {
  return options.charNgrams
    ? foldWindows(text.units, text.length, options.ngram, out)
    : foldWindows(text.wordHashes, text.wordCount, options.ngram, out);
}

function foldWindows(values: Uint16Array | Int32Array, count: number, ngram: number, out: Int32Array): number {
  if (count < ngram) {
    let hash = count;
    for (let index = 0; index < count; index++) hash = combine32(hash, values[index]!);
    out[0] = fmix32(hash);
    return 1;
  }
  const windows = count - ngram + 1;
  for (let start = 0; start < windows; start++) {
    let hash = ngram;
    const end = start + ngram;
    for (let index = start; index < end; index++) hash = combine32(hash, values[index]!);
    out[start] = fmix32(hash);
  }
  return windows;
}

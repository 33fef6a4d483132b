import { combine32, fmix32 } from '../dedup/mix32.js';
import type { NormalizedText } from '../dedup/normalize.js';

/**
 * The word n-grams of a normalised text as 64-bit hashes (two independent 32-bit halves), built from
 * the per-word FNV-1a hashes normalize.ts already computed: each half folds the n word hashes in
 * order with combine32 from its own seed and ends with fmix32, so every bit of the pair is mixed.
 * The second half folds fmix32 of each word hash, so the halves do not share collisions. With 64
 * bits, a false match between a 100K-item evaluation set (≈ 10^7 n-grams) and 10^7 checked n-grams
 * has probability ≈ 10^14 / 2^64 ≈ 5·10^-6.
 *
 * A text of fewer than n words is one gram of all its words (the count enters the hash), so it
 * matches only the same short text, as dedup's shingles do; under MIN_WHOLE_TEXT_WORDS it has no
 * gram at all, because an answer such as "Paris" or an id would otherwise flag every record whose
 * field is that word.
 */
export const MIN_WHOLE_TEXT_WORDS = 5;
const SEED_HIGH = 0x2545f491;
const SEED_LOW = 0x6c8e9cf5;

/** Calls `visit(high, low, start)` for each n-gram of `text`, `start` being its first word's index; stops when visit returns true. */
export function forEachNgramHash(text: NormalizedText, n: number, visit: (high: number, low: number, start: number) => boolean | void): void {
  const words = text.wordHashes;
  const count = text.wordCount;
  if (count < Math.min(n, MIN_WHOLE_TEXT_WORDS)) return;
  const span = Math.min(n, count);
  const last = count - span;
  for (let start = 0; start <= last; start++) {
    let high = SEED_HIGH ^ span;
    let low = SEED_LOW ^ span;
    for (let offset = start, end = start + span; offset < end; offset++) {
      const word = words[offset]!;
      high = combine32(high, word);
      low = combine32(low, fmix32(word));
    }
    high = fmix32(high);
    low = fmix32(low);
    if (high === 0 && low === 0) low = 1;
    if (visit(high, low, start) === true) return;
  }
}

/** The words `start … start + n - 1` of the normalised text (for reports, read only on a match). */
export function ngramWords(text: NormalizedText, start: number, n: number): string {
  return text.toString().split(' ').slice(start, start + n).join(' ');
}

import { fmix32 } from '../dedup/mix32.js';
import type { NormalizedText } from '../dedup/normalize.js';

/**
 * The word n-grams of a normalised text as 64-bit hashes (two independent 32-bit halves), built from
 * the per-word FNV-1a hashes normalize.ts already computed. Each word hash is first mixed twice with
 * fmix32 under two seeds (one value per half); each half of an n-gram is then a polynomial in an odd
 * base over its words' values, mod 2^32, rolled along the text in O(1) per position (subtract the
 * word leaving, multiply, add the word entering), and finished with fmix32 so every output bit
 * depends on every word. Rolling matters: folding 13 words per position cost ten times the
 * normalisation itself. With 64 bits, a false match between a 100K-item evaluation set (≈ 10^7
 * n-grams) and 10^7 checked n-grams has probability ≈ 10^14 / 2^64 ≈ 5·10^-6.
 *
 * A text of fewer than n words is one gram of all its words (the count enters the hash), so it
 * matches only the same short text, as dedup's shingles do; under MIN_WHOLE_TEXT_WORDS it has no
 * gram at all, because an answer such as "Paris" or an id would otherwise flag every record whose
 * field is that word.
 */
export const MIN_WHOLE_TEXT_WORDS = 5;

const SEED_HIGH = 0x2545f491;
const SEED_LOW = 0x6c8e9cf5;
const BASE_HIGH = 0x01000193;
const BASE_LOW = 0x5bd1e995;

let mixedHigh = new Int32Array(2048);
let mixedLow = new Int32Array(2048);

function powerOf(base: number, exponent: number): number {
  let power = 1;
  for (let step = 0; step < exponent; step++) power = Math.imul(power, base);
  return power;
}

/** Calls `visit(high, low, start)` for each n-gram of `text`, `start` being its first word's index; stops when visit returns true. */
export function forEachNgramHash(text: NormalizedText, n: number, visit: (high: number, low: number, start: number) => boolean | void): void {
  const words = text.wordHashes;
  const count = text.wordCount;
  if (count < Math.min(n, MIN_WHOLE_TEXT_WORDS)) return;
  if (mixedHigh.length < count) {
    mixedHigh = new Int32Array(Math.max(count, mixedHigh.length * 2));
    mixedLow = new Int32Array(mixedHigh.length);
  }
  const highs = mixedHigh;
  const lows = mixedLow;
  for (let index = 0; index < count; index++) {
    highs[index] = fmix32(words[index]! ^ SEED_HIGH);
    lows[index] = fmix32(words[index]! ^ SEED_LOW);
  }
  const span = Math.min(n, count);
  const leaveHigh = powerOf(BASE_HIGH, span - 1);
  const leaveLow = powerOf(BASE_LOW, span - 1);
  let high = 0;
  let low = 0;
  for (let index = 0; index < span; index++) {
    high = (Math.imul(high, BASE_HIGH) + highs[index]!) | 0;
    low = (Math.imul(low, BASE_LOW) + lows[index]!) | 0;
  }
  const last = count - span;
  for (let start = 0; ; start++) {
    let outHigh = fmix32(high ^ span);
    const outLow = fmix32(low + span);
    if (outHigh === 0 && outLow === 0) outHigh = 1;
    if (visit(outHigh, outLow, start) === true || start === last) return;
    high = (Math.imul((high - Math.imul(highs[start]!, leaveHigh)) | 0, BASE_HIGH) + highs[start + span]!) | 0;
    low = (Math.imul((low - Math.imul(lows[start]!, leaveLow)) | 0, BASE_LOW) + lows[start + span]!) | 0;
  }
}

/** The words `start … start + n - 1` of the normalised text (for reports, read only on a match). */
export function ngramWords(text: NormalizedText, start: number, n: number): string {
  return text.toString().split(' ').slice(start, start + n).join(' ');
}

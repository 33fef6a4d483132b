import { describe, expect, it } from 'vitest';
import { NormalizedText, normalizeInto } from '../../src/dedup/normalize.js';
import { shingleCount, shingleHashes } from '../../src/dedup/shingle.js';

function shinglesOf(text: string, ngram = 5, charNgrams = false): number[] {
  const normalized = new NormalizedText();
  normalizeInto(text, { foldDigits: false }, normalized);
  const options = { ngram, charNgrams };
  const out = new Int32Array(shingleCount(normalized, options));
  const count = shingleHashes(normalized, options, out);
  return Array.from(out.subarray(0, count));
}

describe('word n-gram shingles', () => {
  it('makes one shingle per window of n words', () => {
    expect(shinglesOf('a b c d e f g')).toHaveLength(3);
    expect(shinglesOf('a b c d e')).toHaveLength(1);
  });

  it('hashes the same n-gram identically wherever it occurs, and respects word order', () => {
    const first = shinglesOf('one two three four five six');
    const second = shinglesOf('zero one two three four five');
    expect(first[0]).toBe(second[1]);
    expect(shinglesOf('a b c d e')[0]).not.toBe(shinglesOf('e d c b a')[0]);
  });

  it('turns a text shorter than n words into one shingle of the whole normalised text', () => {
    const short = shinglesOf('Reset the router');
    expect(short).toHaveLength(1);
    expect(shinglesOf('reset, THE router!')).toEqual(short);
    expect(shinglesOf('reset the router now')).not.toEqual(short);
    // A 3-word text is not confused with a 5-gram that starts with the same words.
    expect(shinglesOf('reset the router now please')[0]).not.toBe(short[0]);
  });

  it('gives the empty text one shingle too', () => {
    expect(shinglesOf('')).toHaveLength(1);
    expect(shinglesOf('...')).toEqual(shinglesOf(''));
  });

  it('uses the configured n', () => {
    expect(shinglesOf('a b c d e f g', 3)).toHaveLength(5);
    expect(shinglesOf('a b c d e f g', 1)).toHaveLength(7);
  });
});

describe('character n-gram shingles', () => {
  it('slides over the normalised characters, spaces included', () => {
    expect(shinglesOf('abcdefg', 5, true)).toHaveLength(3);
    expect(shinglesOf('ab cd', 3, true)).toHaveLength(3);
    expect(shinglesOf('abc', 5, true)).toHaveLength(1);
  });

  it('matches texts that differ only in punctuation and case', () => {
    expect(shinglesOf('東京タワー、高い!', 2, true)).toEqual(shinglesOf('東京タワー 高い', 2, true));
  });
});

import { describe, expect, it } from 'vitest';
import { NormalizedText, normalizeInto, normalizeText } from '../../src/dedup/normalize.js';

const plain = { foldDigits: false };
const folded = { foldDigits: true };

describe('normalizeText', () => {
  it('applies NFKC before lowercasing', () => {
    expect(normalizeText('Ｈｅｌｌｏ　ＷＯＲＬＤ', plain)).toBe('hello world');
    expect(normalizeText('ﬁne ﬂow', plain)).toBe('fine flow');
    expect(normalizeText('x² + y²', plain)).toBe('x2 y2');
    expect(normalizeText('cafe\u0301', plain)).toBe(normalizeText('café', plain));
    expect(normalizeText('𝐁𝐎𝐋𝐃 text', plain)).toBe('bold text');
  });

  it('turns punctuation, symbols and whitespace into single word breaks', () => {
    expect(normalizeText("Hello, world! It's—fine.", plain)).toBe('hello world it s fine');
    expect(normalizeText('a+b=c; $5 😀 (ok)', plain)).toBe('a b c 5 ok');
    expect(normalizeText('  a \t\n\r b  \u00a0 c ', plain)).toBe('a b c');
    expect(normalizeText('snake_case-and/slashes', plain)).toBe('snake case and slashes');
  });

  it('removes format characters inside words', () => {
    expect(normalizeText('co\u00adoperate zero\u200bwidth \ufeffbom', plain)).toBe('cooperate zerowidth bom');
  });

  it('keeps letters, marks and numbers of every script', () => {
    expect(normalizeText('Привет, МИР!', plain)).toBe('привет мир');
    expect(normalizeText('नमस्ते दुनिया', plain)).toBe('नमस्ते दुनिया');
    expect(normalizeText('𠀀𠀁 ok', plain)).toBe('𠀀𠀁 ok');
  });

  it('folds each run of digits to one 0 only when asked', () => {
    expect(normalizeText('Call 555-1234 at 10:30', plain)).toBe('call 555 1234 at 10 30');
    expect(normalizeText('Call 555-1234 at 10:30', folded)).toBe('call 0 0 at 0 0');
    expect(normalizeText('abc123def 7', folded)).toBe('abc0def 0');
    expect(normalizeText('١٢٣ and １２', folded)).toBe('0 and 0');
    expect(normalizeText('12 apples', folded)).toBe(normalizeText('7 apples', folded));
    expect(normalizeText('12 apples', plain)).not.toBe(normalizeText('7 apples', plain));
  });

  it('handles empty and all-punctuation text', () => {
    expect(normalizeText('', plain)).toBe('');
    expect(normalizeText(' !!! ... ', plain)).toBe('');
  });

  it('gives the same result on the ASCII fast path and the Unicode path', () => {
    // A trailing non-ASCII word forces the NFKC path for the whole text.
    expect(normalizeText('The QUICK, brown fox! 42 é', plain)).toBe(`${normalizeText('The QUICK, brown fox! 42', plain)} é`);
  });
});

describe('normalizeInto', () => {
  it('hashes each normalised word, equal words equally', () => {
    const out = new NormalizedText();
    normalizeInto('Alpha beta, ALPHA! gamma', plain, out);
    expect(out.toString()).toBe('alpha beta alpha gamma');
    expect(out.wordCount).toBe(4);
    const hashes = Array.from(out.wordHashes.subarray(0, 4));
    expect(hashes[0]).toBe(hashes[2]);
    expect(new Set(hashes).size).toBe(3);
  });

  it('reuses its buffers across documents of different sizes', () => {
    const out = new NormalizedText();
    const long = 'word '.repeat(10_000);
    normalizeInto(long, plain, out);
    expect(out.wordCount).toBe(10_000);
    normalizeInto('short one', plain, out);
    expect(out.toString()).toBe('short one');
    expect(out.wordCount).toBe(2);
  });
});

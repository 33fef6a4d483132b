import { describe, expect, it } from 'vitest';
import { NormalizedText, normalizeInto, normalizeText, normalizeUtf8Into } from '../../src/dedup/normalize.js';

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

describe('normalizeUtf8Into', () => {
  it('gives the units and word hashes normalizeInto gives, on the ASCII byte scan and on the decoded fallback', () => {
    const texts = [
      'The QUICK, brown fox! 42 apples and 007 pears.',
      "  a \t\n\r b\u0001c  don't-stop 10:30 ",
      '',
      ' !!! ... ',
      'abc123def 7 x9',
      'The QUICK, brown fox! 42 é',
      'Ｈｅｌｌｏ co\u00adoperate 𠀀𠀁 ١٢٣ ok',
      'word '.repeat(5_000),
    ];
    const encoder = new TextEncoder();
    const decoder = new TextDecoder();
    for (const options of [{ foldDigits: false }, { foldDigits: true }]) {
      const fromBytes = new NormalizedText();
      const fromText = new NormalizedText();
      for (const text of texts) {
        // At an offset into a larger buffer, as a worker's batch holds it.
        const bytes = new Uint8Array([0x41, 0x42, ...encoder.encode(text), 0x43]);
        normalizeUtf8Into(bytes, 2, bytes.length - 1, options, fromBytes, decoder);
        normalizeInto(text, options, fromText);
        expect(fromBytes.toString()).toBe(fromText.toString());
        expect(fromBytes.wordCount).toBe(fromText.wordCount);
        expect(Array.from(fromBytes.wordHashes.subarray(0, fromBytes.wordCount))).toEqual(Array.from(fromText.wordHashes.subarray(0, fromText.wordCount)));
      }
    }
  });
});

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
    // Code units whose low byte is an ASCII letter or digit (U+0141, U+0161, U+0431) after ASCII.
    expect(normalizeText('ab Ł', plain)).toBe('ab ł');
    expect(normalizeText('Aš1 ъ', plain)).toBe('aš1 ъ');
    expect(normalizeText('x\u0431', folded)).toBe('xб');
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

describe('the ASCII scans', () => {
  // An independent statement of the rules for ASCII: lowercase, words of [a-z0-9], digit runs folded.
  function oracle(text: string, foldDigits: boolean): { text: string; hashes: number[] } {
    const words = text
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((word) => word.length > 0)
      .map((word) => (foldDigits ? word.replace(/[0-9]+/g, '0') : word));
    const hashes = words.map((word) => {
      let hash = 0x811c9dc5 | 0;
      for (let index = 0; index < word.length; index++) hash = Math.imul(hash ^ word.charCodeAt(index), 0x01000193);
      return hash;
    });
    return { text: words.join(' '), hashes };
  }

  it('give the rules of the file comment on random ASCII, string and bytes alike', () => {
    let state = 99;
    const next = (): number => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) % 128;
    const out = new NormalizedText();
    for (let round = 0; round < 400; round++) {
      // Mostly letters and digits, so words are long enough to matter; every ASCII unit occurs.
      const text = Array.from({ length: round % 60 }, () => {
        const pick = next();
        return String.fromCharCode(pick < 64 ? 0x61 + (pick % 26) : pick < 80 ? 0x30 + (pick % 10) : next());
      }).join('');
      for (const foldDigits of [false, true]) {
        const expected = oracle(text, foldDigits);
        normalizeInto(text, { foldDigits }, out);
        expect({ text: out.toString(), hashes: [...out.wordHashes.subarray(0, out.wordCount)] }, JSON.stringify(text)).toEqual(expected);
        const bytes = new TextEncoder().encode(text);
        normalizeUtf8Into(bytes, 0, bytes.length, { foldDigits }, out, new TextDecoder());
        expect({ text: out.toString(), hashes: [...out.wordHashes.subarray(0, out.wordCount)] }, JSON.stringify(text)).toEqual(expected);
      }
    }
  });
});

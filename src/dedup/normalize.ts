import { FNV_OFFSET_BASIS, FNV_PRIME } from './mix32.js';

/**
 * Text normalisation before exact and near-duplicate hashing (the same choices as datatrove's
 * `simplify_text`). The steps, in order:
 *
 *   1. Unicode NFKC: compatibility forms fold together (full-width "ＡＢＣ" → "ABC", "ﬁ" → "fi",
 *      "²" → "2", non-breaking space → space).
 *   2. Lowercase (`String.prototype.toLowerCase`, locale-independent).
 *   3. Every code point is then one of:
 *      - a word character: a letter (\p{L}), a combining mark (\p{M}) or a number (\p{N}); kept;
 *      - a format character (\p{Cf}: zero-width space, soft hyphen, BOM, …); removed without a
 *        trace, so "co\u00ADoperate" and "cooperate" match;
 *      - anything else (punctuation \p{P}, symbols \p{S}, whitespace and other separators \p{Z},
 *        controls \p{Cc}, lone surrogates); a word break. "don't" becomes the two words "don t",
 *        as in datatrove.
 *   4. Optional digit folding: every maximal run of decimal digits (\p{Nd}) becomes a single "0",
 *      so "12 apples" and "7 apples" match (templated data that differs only in numbers). Runs, not
 *      single digits, because "12" → "00" and "7" → "0" would still differ.
 *   5. Words are joined by one ASCII space; no leading or trailing space.
 *
 * Pure-ASCII input skips step 1 (ASCII is NFKC-invariant) and lowercases A–Z by table lookup; the
 * scan falls back to the full path at the first code unit ≥ 0x80. Non-ASCII classes are computed once per code
 * point with Unicode property regexes and cached (a 64 KiB table for the Basic Multilingual Plane).
 *
 * The scan also hashes each word (FNV-1a over its UTF-16 code units, see mix32.ts) so shingling
 * needs no second pass and no substring allocation. Scripts written without spaces (Chinese,
 * Japanese, Thai) produce very long "words": use character n-grams for them.
 */

export interface NormalizeOptions {
  /** Fold each run of decimal digits to a single "0". */
  foldDigits: boolean;
}

const BREAK = 0;
const WORD = 1;
const DIGIT = 2;
const REMOVE = 3;
const UNKNOWN = 255;

const ASCII_CLASSES = new Uint8Array(128);
for (let unit = 0x30; unit <= 0x39; unit++) ASCII_CLASSES[unit] = DIGIT;
for (let unit = 0x41; unit <= 0x5a; unit++) ASCII_CLASSES[unit] = WORD;
for (let unit = 0x61; unit <= 0x7a; unit++) ASCII_CLASSES[unit] = WORD;
const ASCII_LOWER = new Uint16Array(128);
for (let unit = 0; unit < 128; unit++) ASCII_LOWER[unit] = unit >= 0x41 && unit <= 0x5a ? unit + 0x20 : unit;

const bmpClasses = new Uint8Array(0x10000).fill(UNKNOWN);
bmpClasses.set(ASCII_CLASSES);
const astralClasses = new Map<number, number>();

const DIGIT_PATTERN = /^\p{Nd}$/u;
const WORD_PATTERN = /^[\p{L}\p{M}\p{N}]$/u;
const FORMAT_PATTERN = /^\p{Cf}$/u;

function classifyCodePoint(codePoint: number): number {
  const character = String.fromCodePoint(codePoint);
  if (DIGIT_PATTERN.test(character)) return DIGIT;
  if (WORD_PATTERN.test(character)) return WORD;
  if (FORMAT_PATTERN.test(character)) return REMOVE;
  return BREAK;
}

function classOfBmp(unit: number): number {
  let found = bmpClasses[unit]!;
  if (found === UNKNOWN) {
    // Lone surrogates land here too; as a one-unit string they match no property: a break.
    found = classifyCodePoint(unit);
    bmpClasses[unit] = found;
  }
  return found;
}

function classOfAstral(codePoint: number): number {
  let found = astralClasses.get(codePoint);
  if (found === undefined) {
    found = classifyCodePoint(codePoint);
    astralClasses.set(codePoint, found);
  }
  return found;
}

/**
 * Reusable output of one normalisation: the normalised text as UTF-16 code units and the FNV-1a
 * hash of each word. One instance per thread; every call overwrites it.
 */
export class NormalizedText {
  units = new Uint16Array(4096);
  length = 0;
  wordHashes = new Int32Array(2048);
  wordCount = 0;

  /** Grows the buffers so a source of `sourceLength` code units fits (output never exceeds input). */
  ensureCapacity(sourceLength: number): void {
    if (this.units.length < sourceLength) this.units = new Uint16Array(Math.max(sourceLength, this.units.length * 2));
    const maxWords = (sourceLength >> 1) + 1;
    if (this.wordHashes.length < maxWords) this.wordHashes = new Int32Array(Math.max(maxWords, this.wordHashes.length * 2));
  }

  /** The normalised text as a string (allocates; the hot path reads `units` directly). */
  toString(): string {
    let text = '';
    for (let start = 0; start < this.length; start += 4096) {
      text += String.fromCharCode(...this.units.subarray(start, Math.min(this.length, start + 4096)));
    }
    return text;
  }
}

/** Normalises `text` into `out` (see the file comment for the rules). */
export function normalizeInto(text: string, options: NormalizeOptions, out: NormalizedText): void {
  if (!scan(text, false, options.foldDigits, out)) {
    scan(text.normalize('NFKC').toLowerCase(), true, options.foldDigits, out);
  }
}

/**
 * normalizeInto for the UTF-8 bytes `bytes[start, end)` of a text: what a sketch worker receives.
 * Pure-ASCII bytes are the text's UTF-16 code units, so they are scanned as they are, with no string
 * decoded per document (decoding and reading a string back cost more than the scan itself); at the
 * first byte ≥ 0x80 the text is decoded and normalised as a string.
 */
export function normalizeUtf8Into(bytes: Uint8Array, start: number, end: number, options: NormalizeOptions, out: NormalizedText, decoder: { decode(input: Uint8Array): string }): void {
  if (!scanAsciiBytes(bytes, start, end, options.foldDigits, out)) normalizeInto(decoder.decode(bytes.subarray(start, end)), options, out);
}

/** The normalised text as a string: what the exact-duplicate key and the shingles are computed from. */
export function normalizeText(text: string, options: NormalizeOptions): string {
  const out = new NormalizedText();
  normalizeInto(text, options, out);
  return out.toString();
}

/**
 * One pass of steps 3–5 over `source`. With `unicode` false the source is the raw text and the scan
 * gives up (returns false) at the first non-ASCII unit, so the caller can run steps 1–2 first.
 */
function scan(source: string, unicode: boolean, foldDigits: boolean, out: NormalizedText): boolean {
  const sourceLength = source.length;
  out.ensureCapacity(sourceLength);
  const units = out.units;
  const wordHashes = out.wordHashes;
  const classes = ASCII_CLASSES;
  const lower = ASCII_LOWER;
  const prime = FNV_PRIME;
  const basis = FNV_OFFSET_BASIS;
  let length = 0;
  let wordCount = 0;
  let hash = basis;
  let inWord = false;
  let inDigitRun = false;

  for (let index = 0; index < sourceLength; index++) {
    let unit = source.charCodeAt(index);
    let lowSurrogate = 0;
    let kind: number;
    if (unit < 0x80) {
      kind = classes[unit]!;
      if (kind === WORD) {
        unit = lower[unit]!;
        // The common case, a letter continuing a word, in as few branches as possible.
        if (inWord) {
          units[length++] = unit;
          hash = Math.imul(hash ^ unit, prime);
          inDigitRun = false;
          continue;
        }
      }
    } else if (!unicode) {
      return false;
    } else if ((unit & 0xfc00) === 0xd800 && index + 1 < sourceLength && (source.charCodeAt(index + 1) & 0xfc00) === 0xdc00) {
      lowSurrogate = source.charCodeAt(++index);
      kind = classOfAstral(((unit - 0xd800) << 10) + (lowSurrogate - 0xdc00) + 0x10000);
    } else {
      kind = classOfBmp(unit);
    }

    if (kind === REMOVE) continue;
    if (kind === BREAK) {
      if (inWord) {
        wordHashes[wordCount++] = hash;
        inWord = false;
      }
      inDigitRun = false;
      continue;
    }
    if (kind === DIGIT && foldDigits) {
      if (inDigitRun) continue;
      inDigitRun = true;
      unit = 0x30;
      lowSurrogate = 0;
    } else {
      inDigitRun = false;
    }

    if (!inWord) {
      if (length > 0) units[length++] = 0x20;
      inWord = true;
      hash = basis;
    }
    units[length++] = unit;
    hash = Math.imul(hash ^ unit, prime);
    if (lowSurrogate !== 0) {
      units[length++] = lowSurrogate;
      hash = Math.imul(hash ^ lowSurrogate, prime);
    }
  }
  if (inWord) wordHashes[wordCount++] = hash;
  out.length = length;
  out.wordCount = wordCount;
  return true;
}

/**
 * `scan` over ASCII bytes (the same rules, so the same units and word hashes); false at the first
 * byte ≥ 0x80. Kept apart from `scan` so each loop sees one kind of source and stays monomorphic.
 */
function scanAsciiBytes(source: Uint8Array, start: number, end: number, foldDigits: boolean, out: NormalizedText): boolean {
  out.ensureCapacity(end - start);
  const units = out.units;
  const wordHashes = out.wordHashes;
  const classes = ASCII_CLASSES;
  const lower = ASCII_LOWER;
  const prime = FNV_PRIME;
  const basis = FNV_OFFSET_BASIS;
  let length = 0;
  let wordCount = 0;
  let hash = basis;
  let inWord = false;
  let inDigitRun = false;

  for (let index = start; index < end; index++) {
    let unit = source[index]!;
    if (unit >= 0x80) return false;
    const kind = classes[unit]!;
    if (kind === BREAK) {
      if (inWord) {
        wordHashes[wordCount++] = hash;
        inWord = false;
      }
      inDigitRun = false;
      continue;
    }
    if (kind === WORD) {
      unit = lower[unit]!;
      inDigitRun = false;
    } else if (foldDigits) {
      if (inDigitRun) continue;
      inDigitRun = true;
      unit = 0x30;
    }
    if (!inWord) {
      if (length > 0) units[length++] = 0x20;
      inWord = true;
      hash = basis;
    }
    units[length++] = unit;
    hash = Math.imul(hash ^ unit, prime);
  }
  if (inWord) wordHashes[wordCount++] = hash;
  out.length = length;
  out.wordCount = wordCount;
  return true;
}

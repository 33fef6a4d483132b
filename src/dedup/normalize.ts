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
  singleStart[0] = start;
  singleEnd[0] = end;
  if (!scanAsciiSpans(bytes, singleStart, singleEnd, 0, 1, RAW_ASCII_UNITS, options.foldDigits, out)) {
    normalizeInto(decoder.decode(bytes.subarray(start, end)), options, out);
  }
}

/**
 * normalizeInto for the text `spans` of a stage line, joined by "\n" as dedupTextOf joins them:
 * span i (first ≤ i < first + count) is bytes[starts[i], ends[i]), what lies between the quotes of a
 * JSON string. Every JSON escape but `\u` (\" \\ \/ \b \f \n \r \t) decodes to a character this
 * normalisation turns into a word break, as the "\n" between spans is, so an escape is scanned as a
 * break and never decoded: the same units and word hashes as normalizeInto of the decoded, joined
 * text. False (`out` then undefined) when a span is not the valid contents of an ASCII JSON string
 * without `\u` (a byte ≥ 0x80, a raw control character, a `\u` or an invalid escape): the caller
 * decodes it (or finds the line malformed) instead; the locator leaves that check to this scan, which
 * reads every byte of the span anyway (stage-record-locator.ts).
 */
export function normalizeJsonAsciiInto(bytes: Uint8Array, starts: Uint32Array, ends: Uint32Array, first: number, count: number, options: NormalizeOptions, out: NormalizedText): boolean {
  return scanAsciiSpans(bytes, starts, ends, first, count, JSON_ASCII_UNITS, options.foldDigits, out);
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

const singleStart = new Uint32Array(1);
const singleEnd = new Uint32Array(1);

// Per byte, what scanAsciiSpans does with it: from WORD_UNIT_MIN up, the unit it adds to a word (a
// letter lowercased, a digit as it is); BREAK_UNIT a word break; ESCAPE_UNIT the backslash of a JSON
// escape (a break, and the escaped byte after it another); NON_ASCII gives up.
const BREAK_UNIT = 0;
const ESCAPE_UNIT = 1;
const NON_ASCII = 2;
const WORD_UNIT_MIN = 0x30;
const RAW_ASCII_UNITS = new Uint8Array(256);
for (let unit = 0x30; unit <= 0x39; unit++) RAW_ASCII_UNITS[unit] = unit;
for (let unit = 0x41; unit <= 0x5a; unit++) RAW_ASCII_UNITS[unit] = unit + 0x20;
for (let unit = 0x61; unit <= 0x7a; unit++) RAW_ASCII_UNITS[unit] = unit;
RAW_ASCII_UNITS.fill(NON_ASCII, 0x80);
const JSON_ASCII_UNITS = RAW_ASCII_UNITS.slice();
JSON_ASCII_UNITS[0x5c] = ESCAPE_UNIT;
// Raw control characters are not allowed in a JSON string: the line is malformed, or in doubt.
JSON_ASCII_UNITS.fill(NON_ASCII, 0, 0x20);
// The escapes that decode to one ASCII character, all of them breaks.
const SIMPLE_ESCAPES = new Uint8Array(256);
for (const char of '"\\/bfnrt') SIMPLE_ESCAPES[char.charCodeAt(0)] = 1;

/**
 * `scan` over the ASCII bytes of `count` spans joined by a break (the same rules, so the same units
 * and word hashes); false at the first byte the table marks NON_ASCII (≥ 0x80; in a JSON string a
 * raw control too) or at an escape other than the simple ones. Shaped word by word, a loop over the
 * breaks and one over the word's characters, so a word costs about one mispredicted branch at each
 * end instead of several; kept apart from `scan` so each loop sees one kind of source.
 */
function scanAsciiSpans(bytes: Uint8Array, starts: Uint32Array, ends: Uint32Array, first: number, count: number, table: Uint8Array, foldDigits: boolean, out: NormalizedText): boolean {
  const last = first + count;
  let total = count;
  for (let span = first; span < last; span++) total += ends[span]! - starts[span]!;
  out.ensureCapacity(total);
  const units = out.units;
  const wordHashes = out.wordHashes;
  const prime = FNV_PRIME;
  const basis = FNV_OFFSET_BASIS;
  // Folded digits (0x30–0x39) sit below it.
  const letterMin = foldDigits ? 0x61 : WORD_UNIT_MIN;
  let length = 0;
  let wordCount = 0;

  for (let span = first; span < last; span++) {
    const end = ends[span]!;
    let index = starts[span]!;
    for (;;) {
      let unit = BREAK_UNIT;
      while (index < end && (unit = table[bytes[index]!]!) < WORD_UNIT_MIN) {
        if (unit === NON_ASCII) return false;
        if (unit === ESCAPE_UNIT) {
          // A JSON escape is one more byte, a break whatever it is (but `\u`, left to the decoder).
          if (index + 1 >= end || SIMPLE_ESCAPES[bytes[index + 1]!] !== 1) return false;
          index++;
        }
        index++;
      }
      if (index >= end) break;
      if (length > 0) units[length++] = 0x20;
      let hash = basis;
      // A word: runs of letters (digits too when not folded), and runs of digits that add one "0" each.
      for (;;) {
        if (unit >= letterMin) {
          do {
            units[length++] = unit;
            hash = Math.imul(hash ^ unit, prime);
            if (++index === end) break;
            unit = table[bytes[index]!]!;
          } while (unit >= letterMin);
        } else {
          units[length++] = 0x30;
          hash = Math.imul(hash ^ 0x30, prime);
          do {
            if (++index === end) break;
            unit = table[bytes[index]!]!;
          } while (unit >= WORD_UNIT_MIN && unit < letterMin);
        }
        if (index === end || unit < WORD_UNIT_MIN) break;
      }
      wordHashes[wordCount++] = hash;
    }
  }
  out.length = length;
  out.wordCount = wordCount;
  return true;
}

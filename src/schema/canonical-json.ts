/**
 * Whether a JSON text already is what `JSON.stringify` writes for the value `JSON.parse` reads from
 * it, so a caller that needs that string can keep the text and skip serialising the value again
 * (collecting writes every valid answer as `JSON.stringify(value)`; most models answer compactly).
 *
 * One pass over the text that accepts only what stringify writes and answers false on anything else
 * (false only costs the stringify it would have saved):
 * - no whitespace outside strings;
 * - in strings, only the escapes stringify writes: `\"`, `\\`, `\b \f \n \r \t`, and `\u00xx`
 *   (lowercase hex) for the other control characters; no `\/`, no other `\u`, no lone surrogate;
 * - numbers in JavaScript's canonical form (`String(Number(token)) === token`: not 1.0, 1e2, -0);
 * - no key that starts with a digit (an array index key is enumerated first, out of text order);
 * - as many object members in the text as own keys in the value (a repeated key is read once).
 * Nesting deeper than MAX_DEPTH is refused too, so counting the value's keys cannot exhaust the stack.
 */
const MAX_DEPTH = 64;

/** `value` must be `JSON.parse(text)`, unchanged since. */
export function isCanonicalJson(text: string, value: unknown): boolean {
  const members = canonicalMembers(text);
  return members >= 0 && members === ownMembers(value, 0);
}

/**
 * The object members of a canonical text (`text` must be valid JSON), or -1 when it is not canonical.
 * Strings, most of an answer, are crossed with indexOf (native, far faster than a loop over their
 * characters); only the text between them is looked at character by character.
 */
function canonicalMembers(text: string): number {
  // A lone surrogate is written as `\udxxx`; a pair as is. Outside strings valid JSON has none.
  if (!(text as unknown as WellFormed).isWellFormed()) return -1;
  let members = 0;
  let depth = 0;
  // The next backslash at or after where the scan stands (`length`: none left); -1: not searched yet.
  let backslash = -1;
  const length = text.length;
  let index = 0;
  while (index < length) {
    const quote = text.indexOf('"', index);
    const between = quote < 0 ? length : quote;
    for (; index < between; index++) {
      const code = text.charCodeAt(index);
      if (code === 0x7b || code === 0x5b) {
        if (++depth > MAX_DEPTH) return -1;
      } else if (code === 0x7d || code === 0x5d) {
        depth--;
      } else if (code === 0x2d || (code >= 0x30 && code <= 0x39)) {
        const end = numberEnd(text, index);
        if (!isCanonicalNumber(text, index, end)) return -1;
        index = end - 1;
      } else if (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) {
        return -1;
      }
      // Everything else outside strings is `:`, `,` or a letter of true/false/null: written as is.
    }
    if (quote < 0) break;
    // The string's closing quote: the next quote that no backslash escapes.
    let close = text.indexOf('"', quote + 1);
    for (;;) {
      if (backslash < quote + 1) backslash = nextBackslash(text, quote + 1);
      if (close < 0) return -1;
      if (backslash > close) break;
      const after = escapeEnd(text, backslash);
      if (after < 0) return -1;
      if (after > close) close = text.indexOf('"', after);
      backslash = nextBackslash(text, after);
    }
    if (text.charCodeAt(close + 1) === 0x3a) {
      const first = text.charCodeAt(quote + 1);
      if (first >= 0x30 && first <= 0x39) return -1;
      members++;
    }
    index = close + 1;
  }
  return members;
}

function nextBackslash(text: string, from: number): number {
  const found = text.indexOf('\\', from);
  return found < 0 ? text.length : found;
}

interface WellFormed {
  isWellFormed(): boolean;
}

/** Where the text goes on after the escape at `backslash`, or -1 for an escape stringify would not write. */
function escapeEnd(text: string, backslash: number): number {
  const next = text.charCodeAt(backslash + 1);
  if (next === 0x75) return isStringifiedControl(text, backslash + 2) ? backslash + 6 : -1;
  const short = next === 0x22 || next === 0x5c || next === 0x62 || next === 0x66 || next === 0x6e || next === 0x72 || next === 0x74;
  return short ? backslash + 2 : -1;
}

/** Whether the 4 hex digits at `start` are `00xx` (lowercase) for a control character that has no short escape. */
function isStringifiedControl(text: string, start: number): boolean {
  if (text.charCodeAt(start) !== 0x30 || text.charCodeAt(start + 1) !== 0x30) return false;
  const high = text.charCodeAt(start + 2);
  const low = text.charCodeAt(start + 3);
  if (high !== 0x30 && high !== 0x31) return false;
  const lowValue = low >= 0x30 && low <= 0x39 ? low - 0x30 : low >= 0x61 && low <= 0x66 ? low - 0x61 + 10 : -1;
  if (lowValue < 0) return false;
  const value = (high - 0x30) * 16 + lowValue;
  // \b \t \n \f \r
  return value !== 8 && value !== 9 && value !== 10 && value !== 12 && value !== 13;
}

function numberEnd(text: string, start: number): number {
  let index = start + 1;
  for (; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (!((code >= 0x30 && code <= 0x39) || code === 0x2e || code === 0x65 || code === 0x45 || code === 0x2b || code === 0x2d)) break;
  }
  return index;
}

function isCanonicalNumber(text: string, start: number, end: number): boolean {
  // An integer of up to 15 digits reads back exactly: canonical unless led by 0 (only `0` itself) or `-0`.
  const digitsStart = text.charCodeAt(start) === 0x2d ? start + 1 : start;
  if (end - digitsStart <= 15 && end > digitsStart) {
    let digits = true;
    for (let index = digitsStart; index < end && digits; index++) {
      const code = text.charCodeAt(index);
      digits = code >= 0x30 && code <= 0x39;
    }
    if (digits) return text.charCodeAt(digitsStart) !== 0x30 || (end - start === 1);
  }
  const token = text.slice(start, end);
  return String(Number(token)) === token;
}

/** Own keys of every object in a parsed JSON value, or -1 for something JSON.parse does not build. */
function ownMembers(value: unknown, depth: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (depth > MAX_DEPTH) return -1;
  let members = 0;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const inner = ownMembers(value[index], depth + 1);
      if (inner < 0) return -1;
      members += inner;
    }
    return members;
  }
  for (const key in value) {
    // An inherited enumerable key (a polluted prototype) is not written by stringify: no shortcut then.
    if (!Object.prototype.hasOwnProperty.call(value, key)) return -1;
    const inner = ownMembers((value as Record<string, unknown>)[key], depth + 1);
    if (inner < 0) return -1;
    members += 1 + inner;
  }
  return members;
}

/**
 * The keys of a JSON object text, in order, without parsing its values: what emitting needs to know
 * of an answer before splicing it into a record (emit-samples.ts). Exact for any JSON text without
 * whitespace between tokens (what `JSON.stringify` writes, which is how answers are stored). On
 * other JSON text it gives the same keys or undefined, never others; the caller then parses.
 */
export function topLevelKeys(text: string): string[] | undefined {
  const keys: string[] = [];
  return walkMembers(text, undefined, (key) => keys.push(key)) ? keys : undefined;
}

/** A member of a JSON object text: its key and where its value's text lies (`text.slice(start, end)`). */
export interface MemberSpan {
  key: string;
  start: number;
  end: number;
  /** The keys of its value, an object, for the member `topLevelMembers` was asked about. */
  keys?: string[];
}

/**
 * The members of a JSON object text, in order, each value's text located but not parsed: for the
 * same texts, and with the same guarantee, as `topLevelKeys`. Does not check that the values are
 * valid JSON; a caller splicing them relies on the text having been written by `JSON.stringify`.
 * `keysOf`: a member whose value's keys are listed too (`keys`), when that value is an object.
 */
export function topLevelMembers(text: string, keysOf?: string): MemberSpan[] | undefined {
  const members: MemberSpan[] = [];
  const walked = walkMembers(text, keysOf, (key, start, end, keys) => members.push(keys ? { key, start, end, keys } : { key, start, end }));
  return walked ? members : undefined;
}

/** Calls `visit` for each member of a JSON object text, in order; false where the text is not one it reads. */
function walkMembers(text: string, keysOf: string | undefined, visit: (key: string, start: number, end: number, keys: string[] | undefined) => void): boolean {
  const end = text.length - 1;
  if (text.charCodeAt(0) !== OPEN_OBJECT || text.charCodeAt(end) !== CLOSE_OBJECT) return false;
  let at = 1;
  if (at === end) return true;
  for (;;) {
    if (text.charCodeAt(at) !== QUOTE) return false;
    const keyEnd = stringEnd(text, at);
    if (keyEnd === -1 || text.charCodeAt(keyEnd + 1) !== COLON) return false;
    const key = keyText(text, at, keyEnd);
    const start = keyEnd + 2;
    // Read in the same pass that finds where the value ends, not in a second one.
    const keys = key === keysOf && text.charCodeAt(start) === OPEN_OBJECT ? [] : undefined;
    at = valueEnd(text, start, end, keys);
    if (at === -1) return false;
    visit(key, start, at, keys);
    if (at === end) return true;
    if (text.charCodeAt(at) !== COMMA) return false;
    at++;
  }
}

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const PRIMITIVE_FIRST = /^[-0-9tfn]$/;

/** Index of the quote that closes the string opening at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1);
  while (quote !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
  return -1;
}

/** The key whose quotes are at `open` and `close`, unescaped. */
function keyText(text: string, open: number, close: number): string {
  const raw = text.slice(open + 1, close);
  return raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
}

/**
 * Index just past the value starting at `start` (a member of the outer object ending at `end`), or
 * -1. `keys`: the value is an object whose keys are pushed there; -1 where whitespace precedes one.
 */
function valueEnd(text: string, start: number, end: number, keys?: string[]): number {
  const first = text.charCodeAt(start);
  if (first === QUOTE) {
    const close = stringEnd(text, start);
    return close === -1 ? -1 : close + 1;
  }
  if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
    let depth = 0;
    // Inside the outer object, just after its `{` or a `,`: the next string is one of its keys.
    let keyNext = false;
    for (let at = start; at < end; at++) {
      const code = text.charCodeAt(at);
      if (code === QUOTE) {
        const close = stringEnd(text, at);
        if (close === -1) return -1;
        if (keyNext) keys!.push(keyText(text, at, close));
        keyNext = false;
        at = close;
      } else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
        if (++depth === 1 && keys) {
          const next = text.charCodeAt(at + 1);
          if (next !== QUOTE && next !== CLOSE_OBJECT) return -1;
          keyNext = true;
        }
      } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
        if (--depth === 0) return at + 1;
      } else if (code === COMMA && depth === 1 && keys) {
        if (text.charCodeAt(at + 1) !== QUOTE) return -1;
        keyNext = true;
      }
    }
    return -1;
  }
  // A number, true, false or null: no comma or brace inside. Anything else (whitespace) is not ours to read.
  if (!PRIMITIVE_FIRST.test(text[start] ?? '')) return -1;
  for (let at = start; at < end; at++) if (text.charCodeAt(at) === COMMA) return at;
  return end;
}

/**
 * Finds the JSON value in a model's reply, in this order:
 *   1. the whole text;
 *   2. the first ```json (or bare ```) fenced block that parses;
 *   3. the first balanced {...} or [...] span that parses (string-aware, so braces inside strings
 *      do not count).
 * Reasoning blocks (`<think>…</think>`, emitted by some local models) are removed first, since they
 * often hold draft JSON. Only JSON.parse is used; nothing is evaluated.
 */
export type ExtractedJson = { ok: true; value: unknown; source?: string } | { ok: false; message: string };

export interface ExtractJsonOptions {
  /** Step 3 tries `{` spans before `[` spans, so "see [1]" in prose does not beat the object that follows. */
  preferObject?: boolean;
  /** Also give `source`: the text JSON.parse read the value from (the whole text, a fenced block or a span). */
  withSource?: boolean;
}

const FENCE = /```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n([\s\S]*?)```/g;
/** Bounds step 3 on adversarial text (thousands of unbalanced braces) to linear-ish work. */
const MAX_SPAN_STARTS = 200;

export function extractJson(text: string, options: ExtractJsonOptions = {}): ExtractedJson {
  const cleaned = stripReasoning(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).trim();
  if (cleaned === '') return { ok: false, message: text.trim() === '' ? 'empty output' : 'no JSON value found (only a reasoning block)' };

  const withSource = options.withSource === true;
  const whole = tryParse(cleaned, withSource);
  if (whole.ok) return whole;

  for (const match of cleaned.matchAll(FENCE)) {
    const language = (match[1] ?? '').toLowerCase();
    if (language !== '' && language !== 'json') continue;
    const fenced = tryParse((match[2] ?? '').trim(), withSource);
    if (fenced.ok) return fenced;
  }

  const openers = options.preferObject ? ['{', '['] : ['{['];
  for (const opener of openers) {
    const span = firstParsingSpan(cleaned, opener, withSource);
    if (span.ok) return span;
  }
  return { ok: false, message: 'no JSON value found in the output' };
}

function stripReasoning(text: string): string {
  // Most replies have no reasoning block: one search instead of a regular expression over the whole text.
  if (!text.includes('<think>')) return text;
  const closed = text.replace(/<think>[\s\S]*?<\/think>/g, '');
  const open = closed.indexOf('<think>');
  return open === -1 ? closed : closed.slice(0, open);
}

function tryParse(text: string, withSource: boolean): ExtractedJson {
  if (text === '') return { ok: false, message: 'empty' };
  try {
    const value = JSON.parse(text) as unknown;
    return withSource ? { ok: true, value, source: text } : { ok: true, value };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

function firstParsingSpan(text: string, openers: string, withSource: boolean): ExtractedJson {
  let starts = 0;
  // indexOf finds the next opener natively: most of the text is prose or an unclosed string.
  for (let start = nextOpener(text, openers, 0); start !== -1 && starts < MAX_SPAN_STARTS; start = nextOpener(text, openers, start + 1)) {
    starts++;
    const end = balancedEnd(text, start);
    if (end === -1) continue;
    const parsed = tryParse(text.slice(start, end + 1), withSource);
    if (parsed.ok) return parsed;
  }
  return { ok: false, message: 'no balanced JSON span' };
}

function nextOpener(text: string, openers: string, from: number): number {
  let next = -1;
  for (let index = 0; index < openers.length; index++) {
    const at = text.indexOf(openers[index]!, from);
    if (at !== -1 && (next === -1 || at < next)) next = at;
  }
  return next;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Index of the bracket that closes the one at `start`, or -1. Tracks strings and escapes. */
function balancedEnd(text: string, start: number): number {
  const closers: number[] = [];
  let inString = false;
  for (let index = start; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === BACKSLASH) index++;
      else if (code === QUOTE) inString = false;
      continue;
    }
    if (code === QUOTE) inString = true;
    else if (code === OPEN_BRACE) closers.push(CLOSE_BRACE);
    else if (code === OPEN_BRACKET) closers.push(CLOSE_BRACKET);
    else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      if (closers.pop() !== code) return -1;
      if (closers.length === 0) return index;
    }
  }
  return -1;
}

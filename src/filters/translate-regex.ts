/**
 * Recipes are often ported from Python peers, so `matches:` patterns arrive in Python `re` syntax.
 * Most of it is the same in JavaScript; this file translates the parts with an exact equivalent and
 * rejects, with the fix spelled out, the parts JavaScript (Node 20) cannot do or would silently read
 * differently (in JavaScript `\A` is the letter "A", and `(?P<n>` a syntax error at best).
 *
 * Translated:
 * - leading global flags `(?i)`, `(?s)`, `(?m)` (also combined, `(?is)`, or repeated) → JS flags
 *   `i`, `s`, `m`; `(?u)` is accepted and ignored (Python 3 str patterns are Unicode already);
 * - `\A` → `(?<![\s\S])` and `\Z` (or `\z`) → `(?![\s\S])`: start and end of input whatever the
 *   flags; `\a` (bell) → `\x07`;
 * - `{,n}` → `{0,n}` (JavaScript reads `{,n}` as literal text);
 * - `\UXXXXXXXX` → the character itself;
 * - `[]...]` (a leading `]` is literal in Python) → `[\]...]` (in JavaScript `[]` is an empty class).
 *
 * Rejected: other flags (`(?x)`, `(?a)`, `(?L)`), flags anywhere but the start, scoped flags
 * `(?i:...)`, `(?P<name>...)`, `(?P=name)`, `(?#...)`, atomic groups `(?>...)`, conditionals
 * `(?(1)...)`, possessive quantifiers (`a++`, `a*+`, `a?+`, `a{2}+`) and `\N{NAME}`.
 *
 * Known differences that remain: `\w`, `\d`, `\b` are ASCII in JavaScript, Unicode in Python;
 * Python's `$` also matches before a final newline, JavaScript's only at the very end.
 *
 * The pattern is compiled with the `u` flag when JavaScript accepts it that way (code-point
 * semantics); patterns using escapes that `u` mode forbids but Python allows (`\:`, `\'`, `\-`
 * outside a class) fall back to compiling without `u`.
 *
 * `matches` searches anywhere in the value, like Python's `re.search`; anchor with `^...$` for a
 * whole-value match.
 *
 * Filters run the result on `LinearRegex` (linear time in the text); a pattern it cannot run
 * (backreferences, lookaround) fails here with `unsupported_regex`, so `validate` reports it.
 */
import { LinearRegex, UnsupportedRegexError } from './linear-regex.js';

export type RegexTranslation =
  | { ok: true; regex: RegExp; matcher: LinearRegex; source: string; flags: string }
  | { ok: false; code: 'invalid_regex' | 'unsupported_regex'; message: string };

const FLAG_MAP: Readonly<Record<string, string>> = { i: 'i', s: 's', m: 'm', u: '' };
const FLAG_ADVICE: Readonly<Record<string, string>> = {
  x: 'verbose mode (?x) is not supported: remove the whitespace and # comments from the pattern and drop (?x)',
  a: 'ASCII mode (?a) is not supported: drop it (JavaScript \\w, \\d and \\b are already ASCII-only)',
  L: 'locale mode (?L) is not supported: drop it',
};
const LEADING_FLAGS = /^\(\?([a-zA-Z]+)\)/;
const QUANTIFIER_BRACES = /^\{(\d*)(,?)(\d*)\}/;

export function translatePythonRegex(pattern: string): RegexTranslation {
  const fail = (why: string, code: 'invalid_regex' | 'unsupported_regex' = 'invalid_regex'): RegexTranslation => ({
    ok: false,
    code,
    message: `regex ${JSON.stringify(pattern)}: ${why}`,
  });

  let body = pattern;
  let flags = '';
  for (let match = LEADING_FLAGS.exec(body); match; match = LEADING_FLAGS.exec(body)) {
    for (const flag of match[1]!) {
      const jsFlag = FLAG_MAP[flag];
      if (jsFlag === undefined) return fail(FLAG_ADVICE[flag] ?? `the inline flag (?${flag}) is not supported; supported: (?i), (?s), (?m)`);
      if (jsFlag !== '' && !flags.includes(jsFlag)) flags += jsFlag;
    }
    body = body.slice(match[0].length);
  }

  const translated = translateBody(body);
  if ('error' in translated) return fail(translated.error);
  return compile(translated.source, flags, fail);
}

function compile(source: string, flags: string, fail: (why: string, code?: 'unsupported_regex') => RegexTranslation): RegexTranslation {
  let regex: RegExp;
  try {
    regex = new RegExp(source, `${flags}u`);
  } catch {
    // Python allows identity escapes such as \: and \' that `u` mode rejects; see the header.
    try {
      regex = new RegExp(source, flags);
    } catch (error) {
      return fail(`not a valid regular expression: ${(error as Error).message}`);
    }
  }
  try {
    return { ok: true, regex, matcher: LinearRegex.compile(regex.source, regex.flags), source, flags: regex.flags };
  } catch (error) {
    if (error instanceof UnsupportedRegexError) return fail(error.message, 'unsupported_regex');
    throw error;
  }
}

/** Walks the pattern once, outside and inside character classes, rewriting or rejecting constructs. */
function translateBody(body: string): { source: string } | { error: string } {
  let out = '';
  let inClass = false;
  let index = 0;
  while (index < body.length) {
    const char = body[index]!;
    if (char === '\\') {
      const escape = translateEscape(body, index, inClass);
      if ('error' in escape) return escape;
      out += escape.text;
      index += escape.length;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      out += char;
      index += 1;
      continue;
    }
    if (char === '[') {
      inClass = true;
      const negated = body[index + 1] === '^';
      out += negated ? '[^' : '[';
      index += negated ? 2 : 1;
      if (body[index] === ']') {
        out += '\\]';
        index += 1;
      }
      continue;
    }
    if (char === '(' && body[index + 1] === '?') {
      const group = checkGroup(body.slice(index + 2));
      if ('error' in group) return group;
      out += `(?${group.prefix}`;
      index += 2 + group.prefix.length;
      continue;
    }
    const quantifier = readQuantifier(body, index);
    if (quantifier) {
      let end = index + quantifier.length;
      if (body[end] === '?') end += 1;
      if (body[end] === '+') {
        const written = body.slice(index, end + 1);
        return { error: `the possessive quantifier "${written}" is not supported in JavaScript; drop the final "+" (or emulate it with a lookahead and a backreference: (?=(X+))\\1)` };
      }
      out += quantifier.text + body.slice(index + quantifier.length, end);
      index = end;
      continue;
    }
    out += char;
    index += 1;
  }
  return { source: out };
}

function readQuantifier(body: string, index: number): { text: string; length: number } | undefined {
  const char = body[index]!;
  if (char === '*' || char === '+' || char === '?') return { text: char, length: 1 };
  if (char !== '{') return undefined;
  const match = QUANTIFIER_BRACES.exec(body.slice(index));
  if (!match) return undefined;
  const [written, low, comma, high] = match as unknown as [string, string, string, string];
  if (low === '' && comma === '') return undefined; // `{}` is literal text in Python too
  return { text: low === '' ? `{0,${high}}` : written, length: written.length };
}

/** What may follow `(?`; returns the part to copy through unchanged. */
function checkGroup(rest: string): { prefix: string } | { error: string } {
  if (rest.startsWith(':') || rest.startsWith('=') || rest.startsWith('!')) return { prefix: rest[0]! };
  if (rest.startsWith('<=') || rest.startsWith('<!')) return { prefix: rest.slice(0, 2) };
  if (/^<[A-Za-z_]/.test(rest)) return { prefix: '<' };
  if (rest.startsWith('P<')) {
    const name = /^P<([^>]*)>/.exec(rest)?.[1] ?? 'name';
    return { error: `"(?P<${name}>...)" is Python's named group; JavaScript writes it "(?<${name}>...)"` };
  }
  if (rest.startsWith('P=')) {
    const name = /^P=([^)]*)\)/.exec(rest)?.[1] ?? 'name';
    return { error: `"(?P=${name})" is Python's named backreference; JavaScript writes it "\\k<${name}>"` };
  }
  if (rest.startsWith('#')) return { error: 'comment groups "(?#...)" are not supported in JavaScript; remove the comment' };
  if (rest.startsWith('>')) return { error: 'atomic groups "(?>...)" are not supported in JavaScript; use a plain group "(?:...)" or emulate with (?=(...))\\1' };
  if (rest.startsWith('(')) return { error: 'conditional groups "(?(id)yes|no)" are not supported in JavaScript; split the condition into two rules under `any:`' };
  const flags = /^([a-zA-Z]*-?[a-zA-Z]*)([:)])/.exec(rest);
  if (flags && flags[1] !== '' && flags[1] !== '-') {
    const written = `(?${flags[0]}`;
    return flags[2] === ':'
      ? { error: `scoped inline flags "${written}...)" are not supported on Node 20; apply the flag to the whole pattern with a leading (?${flags[1]!.split('-')[0] || 'i'})` }
      : { error: `the inline flag "${written}" must come first: JavaScript applies flags to the whole pattern, so move it to the very start` };
  }
  return { error: `the group "(?${rest.slice(0, 2)}" is not supported in JavaScript` };
}

function translateEscape(body: string, index: number, inClass: boolean): { text: string; length: number } | { error: string } {
  const next = body[index + 1];
  if (next === undefined) return { error: 'the pattern ends with a lone backslash' };
  if (!inClass && next === 'A') return { text: '(?<![\\s\\S])', length: 2 };
  if (!inClass && (next === 'Z' || next === 'z')) return { text: '(?![\\s\\S])', length: 2 };
  if (next === 'a') return { text: '\\x07', length: 2 };
  if (next === 'N' && body[index + 2] === '{') {
    return { error: 'named characters "\\N{...}" are not supported in JavaScript; write the character itself or \\u{XXXX}' };
  }
  if (next === 'U') {
    const hex = /^[0-9a-fA-F]{8}/.exec(body.slice(index + 2))?.[0];
    if (!hex) return { error: '"\\U" needs 8 hex digits' };
    const codePoint = Number.parseInt(hex, 16);
    if (codePoint > 0x10ffff) return { error: `"\\U${hex}" is beyond the last Unicode code point` };
    const literal = String.fromCodePoint(codePoint);
    return { text: /[\\^$.*+?()[\]{}|/-]/.test(literal) ? `\\${literal}` : literal, length: 10 };
  }
  return { text: `\\${next}`, length: 2 };
}

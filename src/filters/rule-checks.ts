/**
 * One check per rule key. A check gets the field's value (`undefined` when the path is absent) and
 * returns `undefined` when the rule holds, or the detail of why it does not ("37 chars < 80").
 *
 * Missing fields: every rule fails with "field missing", except the three that a missing value
 * satisfies by meaning: `exists: false`, `ne` and `not_in` (an absent label is not "n/a"). This keeps
 * `ne: x` equivalent to `not: { eq: x }`. `null` is a value for every rule except `exists`.
 */
import type { FilterRuleKey, FilterScalar } from './filter-spec.js';
import { LinearRegex, UnsupportedRegexError } from './linear-regex.js';
import { translatePythonRegex } from './translate-regex.js';
import { FilterSpecError } from './errors.js';

export type RuleCheck = { label: string; check: (value: unknown) => string | undefined };

export const FIELD_MISSING = 'field missing';

export function buildRuleCheck(field: string, key: FilterRuleKey, expected: unknown): RuleCheck {
  const label = `${field} ${key} ${formatExpected(key, expected)}`;
  const check = CHECK_BUILDERS[key](expected as never);
  const missingHolds = key === 'ne' || key === 'not_in' || (key === 'exists' && expected === false);
  return {
    label,
    check: (value) => (value === undefined ? (missingHolds ? undefined : FIELD_MISSING) : check(value)),
  };
}

type CheckBuilder<T> = (expected: T) => (value: unknown) => string | undefined;

const CHECK_BUILDERS: { [K in FilterRuleKey]: CheckBuilder<never> } = {
  min_chars: lengthCheck('chars', countCodePoints, (size, bound) => size < bound, '<'),
  max_chars: lengthCheck('chars', countCodePoints, (size, bound) => size > bound, '>'),
  min_words: lengthCheck('words', countWords, (size, bound) => size < bound, '<'),
  max_words: lengthCheck('words', countWords, (size, bound) => size > bound, '>'),
  matches: regexCheck('matches'),
  not_matches: regexCheck('not_matches'),
  eq: (expected: FilterScalar) => (value) => (value === expected ? undefined : `got ${describeAgainst(value, expected)}`),
  ne: (expected: FilterScalar) => (value) => (value === expected ? `is ${preview(value)}` : undefined),
  gt: compareCheck((value, bound) => value > bound, '<='),
  gte: compareCheck((value, bound) => value >= bound, '<'),
  lt: compareCheck((value, bound) => value < bound, '>='),
  lte: compareCheck((value, bound) => value <= bound, '>'),
  in: (expected: FilterScalar[]) => {
    const allowed = new Set<unknown>(expected);
    return (value) => {
      const items = Array.isArray(value) ? value : [value];
      const outside = items.findIndex((item) => !allowed.has(item));
      return outside === -1 ? undefined : `${preview(items[outside])} is not in the list`;
    };
  },
  not_in: (expected: FilterScalar[]) => {
    const banned = new Set<unknown>(expected);
    return (value) => {
      const items = Array.isArray(value) ? value : [value];
      const inside = items.findIndex((item) => banned.has(item));
      return inside === -1 ? undefined : `${preview(items[inside])} is in the list`;
    };
  },
  exists: (expected: boolean) => (value) => {
    if (expected) return value === null ? 'field is null' : undefined;
    return value === null ? undefined : 'field is present';
  },
};

function lengthCheck(
  unit: string,
  measure: (text: string) => number,
  fails: (size: number, bound: number) => boolean,
  relation: string,
): CheckBuilder<number> {
  return (bound) => (value) => {
    if (typeof value !== 'string') return `expected a string, got ${typeName(value)}`;
    const size = measure(value);
    return fails(size, bound) ? `${size} ${unit} ${relation} ${bound}` : undefined;
  };
}

function regexCheck(key: 'matches' | 'not_matches'): CheckBuilder<string | RegExp> {
  const shouldMatch = key === 'matches';
  return (pattern) => {
    const regex = compileRegex(pattern, [key]);
    return (value) => {
      if (typeof value !== 'string') return `expected a string, got ${typeName(value)}`;
      if (shouldMatch) return regex.test(value) ? undefined : 'no match';
      const match = regex.find(value);
      return match ? `matched ${preview(match.text)}` : undefined;
    };
  };
}

function compareCheck(holds: (value: number, bound: number) => boolean, relation: string): CheckBuilder<number> {
  return (bound) => (value) => {
    if (typeof value === 'string') return `is a string (${preview(value)}), not a number; numeric strings are not converted`;
    if (typeof value !== 'number' || Number.isNaN(value)) return `expected a number, got ${typeName(value)}`;
    return holds(value, bound) ? undefined : `${value} ${relation} ${bound}`;
  };
}

/**
 * A regex from a spec value, on the linear-time engine; `g`, `y` and `d` only change what `exec`
 * reports, so they are dropped. `path` says where the pattern sits in the spec, for the error when it
 * cannot be translated or run in linear time.
 */
export function compileRegex(pattern: string | RegExp, path: (string | number)[] = []): LinearRegex {
  if (pattern instanceof RegExp) {
    try {
      return LinearRegex.compile(pattern.source, pattern.flags.replace(/[gyd]/g, ''));
    } catch (error) {
      if (!(error instanceof UnsupportedRegexError)) throw error;
      throw new FilterSpecError([{ code: 'unsupported_regex', path, message: `regex ${String(pattern)}: ${error.message}` }]);
    }
  }
  const translated = translatePythonRegex(pattern);
  if (!translated.ok) throw new FilterSpecError([{ code: translated.code, path, message: translated.message }]);
  return translated.matcher;
}

function countCodePoints(text: string): number {
  let size = 0;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    // A high surrogate followed by a low one is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) index++;
    }
    size++;
  }
  return size;
}

const WORD = /\S+/g;
function countWords(text: string): number {
  return text.match(WORD)?.length ?? 0;
}

function formatExpected(key: FilterRuleKey, expected: unknown): string {
  if (expected instanceof RegExp) return String(expected);
  // A pattern is shown as written: JSON would double every backslash.
  if (key === 'matches' || key === 'not_matches') return `"${String(expected)}"`;
  if (Array.isArray(expected)) return `[${expected.map((item) => JSON.stringify(item)).join(', ')}]`;
  return JSON.stringify(expected);
}

function describeAgainst(value: unknown, expected: unknown): string {
  const sameType = typeName(value) === typeName(expected);
  return sameType ? preview(value) : `${typeName(value)} ${preview(value)}, expected ${typeName(expected)} ${preview(expected)}`;
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value;
}

const PREVIEW_LENGTH = 60;
export function preview(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
  return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH - 1)}…` : text;
}

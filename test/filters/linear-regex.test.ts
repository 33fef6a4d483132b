import { describe, expect, it } from 'vitest';
import { createRandom } from '../../bench/random.js';
import { compileFilter } from '../../src/filters/compile-filter.js';
import { FilterSpecError } from '../../src/filters/errors.js';
import { filterSpecSchema } from '../../src/filters/filter-spec.js';
import { LinearRegex, UnsupportedRegexError } from '../../src/filters/linear-regex.js';
import { compileRegex } from '../../src/filters/rule-checks.js';

/** Deterministic pseudo-random numbers (mulberry32, the benchmarks' generator), so a failure reproduces. */
const random = createRandom;

const ALPHABET = ['a', 'A', 'b', 'B', 'c', '0', '1', ' ', '_', '\n', '\r', '-', '.', 'É', 'é', 'ß', 'ſ', 'K', '😀', '\u2028'];

function texts(seed: number, count: number): string[] {
  const next = random(seed);
  return Array.from({ length: count }, () => Array.from({ length: Math.floor(next() * 12) }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join(''));
}

/** [source, flags]: each construct the engine interprets, and atoms JavaScript decides for it. */
const PATTERNS: [string, string][] = [
  ['abc', ''],
  ['a|b|', ''],
  ['ab*c', ''],
  ['a+?b', ''],
  ['a{2}', ''],
  ['a{1,3}b', ''],
  ['(?:ab){2,}', ''],
  ['(a|ab)(c|bcd)', ''],
  ['^a', ''],
  ['b$', ''],
  ['^a', 'm'],
  ['b$', 'm'],
  ['^$', 'm'],
  ['\\bb', ''],
  ['a\\B', ''],
  ['\\b\\w+\\b', 'u'],
  ['\\bk', 'iu'],
  ['.b', ''],
  ['.b', 's'],
  ['[a-c]+0', ''],
  ['[^a-z ]{2}', ''],
  ['[]', ''],
  ['[^]', ''],
  ['[\\]a]', ''],
  ['\\d\\s\\w', ''],
  ['\\D\\S\\W', 'u'],
  ['é', 'i'],
  ['ss', 'iu'],
  ['\\u00e9', 'iu'],
  ['\\x41', 'i'],
  ['\\p{Lu}+', 'u'],
  ['😀', 'u'],
  ['.', 'u'],
  ['😀', ''],
  ['\\u{1F600}', 'u'],
  ['(?<word>a+)b', ''],
  ['(a*)*b', ''],
  ['(a|a)*c', ''],
  ['(?<![\\s\\S])a', 'u'],
  ['b(?![\\s\\S])', 'u'],
  ['a{', ''],
  ['\\8', ''],
  ['\\cJ', ''],
  ['\\c', ''],
  ['\\0', ''],
  ['x*', ''],
  ['', ''],
];

describe('LinearRegex agrees with JavaScript', () => {
  it.each(PATTERNS)('/%s/%s on random texts', (source, flags) => {
    const native = new RegExp(source, flags);
    const linear = LinearRegex.compile(source, flags);
    for (const text of texts(source.length * 31 + flags.length, 300)) {
      const expected = native.test(text);
      if (linear.test(text) !== expected) throw new Error(`/${source}/${flags} on ${JSON.stringify(text)}: expected ${expected}`);
      const found = linear.find(text);
      expect(found !== undefined).toBe(expected);
      if (found) expect(text.slice(found.index, found.index + found.text.length)).toBe(found.text);
    }
  });

  it('quotes the leftmost start of the first match to end', () => {
    expect(LinearRegex.compile('as an ai', 'i').find('Sure. As an AI, I...')).toEqual({ index: 6, text: 'As an AI' });
    expect(LinearRegex.compile('b+c', '').find('xbbbc')).toEqual({ index: 1, text: 'bbbc' });
    expect(LinearRegex.compile('^', '').find('abc')).toEqual({ index: 0, text: '' });
  });
});

describe('linear time', () => {
  const longA = `${'a'.repeat(50_000)}b`;
  it.each([
    ['^(a+)+$', longA],
    ['(a|aa)*c', longA],
    ['(a*)*$x', longA],
    ['.*a.*b.*c', 'a'.repeat(50_000)],
    ['^(\\w+\\s?)*$', `${'word '.repeat(10_000)}!`],
  ])('/%s/ returns on a long text a backtracking engine would not finish', (source, text) => {
    expect(LinearRegex.compile(source, '').test(text)).toBe(false);
    expect(compileRegex(source).test(text)).toBe(false);
  });
});

describe('patterns the linear engine refuses', () => {
  it.each([
    ['(a)\\1', '\\1'],
    ['(?<x>a)\\k<x>', '\\k<x>'],
    ['a(?=b)', 'lookahead'],
    ['(?<!a)b', 'lookbehind'],
    ['(?!a)b', 'lookahead'],
  ])('%s', (source, named) => {
    expect(() => LinearRegex.compile(source, 'u')).toThrow(UnsupportedRegexError);
    expect(() => LinearRegex.compile(source, 'u')).toThrow(named);
  });

  it('refuses a pattern whose repetitions expand too far', () => {
    expect(() => LinearRegex.compile('(a{1000}){1000}', '')).toThrow(/too large/);
  });

  it('is a coded filter error with the rule path, from the spec check and from compileFilter', () => {
    const parsed = filterSpecSchema.safeParse({ all: [{ field: 'answer', min_chars: 3 }, { field: 'answer', not_matches: '(\\w+) \\1' }] });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]).toMatchObject({ path: ['all', 1, 'not_matches'], message: expect.stringContaining('the backreference \\1 cannot run in linear time') });
    try {
      compileFilter({ field: 'answer', matches: /(?=x)y/ });
      throw new Error('expected a FilterSpecError');
    } catch (error) {
      expect(error).toBeInstanceOf(FilterSpecError);
      expect((error as FilterSpecError).issues[0]).toMatchObject({ code: 'unsupported_regex', path: ['matches'] });
      expect((error as FilterSpecError).exitCode).toBe(2);
    }
  });

  it('still runs the translated Python \\A and \\Z', () => {
    const anchored = compileRegex('\\Afoo\\Z');
    expect(anchored.test('foo')).toBe(true);
    expect(anchored.test('foo\n')).toBe(false);
    expect(anchored.test('a\nfoo')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { translatePythonRegex } from '../../src/filters/translate-regex.js';

function compiled(pattern: string): RegExp {
  const result = translatePythonRegex(pattern);
  if (!result.ok) throw new Error(result.message);
  return result.regex;
}

function rejection(pattern: string): string {
  const result = translatePythonRegex(pattern);
  if (result.ok) throw new Error(`expected ${pattern} to be rejected, got /${result.source}/${result.flags}`);
  return result.message;
}

describe('translatePythonRegex: leading flags', () => {
  it('turns a leading (?i) into the i flag', () => {
    const regex = compiled('(?i)as an ai');
    expect(regex.flags).toContain('i');
    expect(regex.source).toBe('as an ai');
    expect(regex.test('As An AI model')).toBe(true);
  });

  it('supports s and m, combined or repeated', () => {
    expect(compiled('(?s)a.b').test('a\nb')).toBe(true);
    expect(compiled('a.b').test('a\nb')).toBe(false);
    expect(compiled('(?m)^b$').test('a\nb')).toBe(true);
    const combined = compiled('(?is)(?m)^X.Y$');
    expect(combined.flags).toMatch(/^(?=.*i)(?=.*s)(?=.*m)/);
    expect(combined.test('q\nx\ny')).toBe(true);
  });

  it('accepts (?u) as a no-op', () => {
    expect(compiled('(?u)abc').source).toBe('abc');
  });

  it.each([
    ['(?x) a b', 'verbose'],
    ['(?a)\\w', 'ASCII'],
    ['(?L)a', 'locale'],
    ['(?q)a', 'not supported'],
  ])('rejects the flag in %j', (pattern, words) => {
    expect(rejection(pattern)).toContain(words);
  });

  it('rejects flags that are not at the start, saying where to move them', () => {
    const message = rejection('^(?i)abc');
    expect(message).toContain('"^(?i)abc"');
    expect(message).toContain('must come first');
  });

  it('rejects scoped flags', () => {
    expect(rejection('a(?i:b)c')).toContain('scoped inline flags');
    expect(rejection('(?-i:b)')).toContain('scoped inline flags');
  });
});

describe('translatePythonRegex: Python-only constructs', () => {
  it('names the JavaScript spelling of a Python named group', () => {
    const message = rejection('(?P<word>\\w+) again');
    expect(message).toContain(JSON.stringify('(?P<word>\\w+) again'));
    expect(message).toContain('(?P<word>...)');
    expect(message).toContain('(?<word>...)');
  });

  it('names the JavaScript spelling of a named backreference', () => {
    expect(rejection('(?<w>a)(?P=w)')).toContain('\\k<w>');
  });

  it('keeps JavaScript named groups and non-capturing groups', () => {
    const regex = compiled('(?<word>a)(?:b)c');
    expect(regex.test('abc')).toBe(true);
    expect(regex.test('acb')).toBe(false);
  });

  it.each(['(?=c)', '(?!d)', '(?<=b)', '(?<!z)', '(?<word>a)\\k<word>', '(a)\\1'])(
    'refuses %s, which cannot run in linear time, with its own code',
    (pattern) => {
      const result = translatePythonRegex(pattern);
      expect(result).toMatchObject({ ok: false, code: 'unsupported_regex', message: expect.stringMatching(/cannot run in linear time/) });
    },
  );

  it.each([
    ['a++', 'possessive'],
    ['a*+', 'possessive'],
    ['a?+', 'possessive'],
    ['a{2}+', 'possessive'],
    ['a{2,}+', 'possessive'],
    ['(?>ab)', 'atomic'],
    ['(a)?(?(1)b|c)', 'conditional'],
    ['(?#note)a', 'comment'],
    ['\\N{EM DASH}', 'named characters'],
    ['abc\\', 'lone backslash'],
    ['[a-', 'not a valid regular expression'],
  ])('rejects %j (%s)', (pattern, words) => {
    expect(rejection(pattern)).toContain(words);
  });

  it('keeps lazy quantifiers and an escaped plus before a quantifier', () => {
    expect(compiled('a+?b').test('aab')).toBe(true);
    expect(compiled('\\++').test('++')).toBe(true);
    expect(compiled('a{1,2}?').source).toBe('a{1,2}?');
  });

  it('translates \\A, \\Z and \\z to whole-input anchors, even in multiline mode', () => {
    const regex = compiled('(?m)\\Afoo\\Z');
    expect(regex.test('foo')).toBe(true);
    expect(regex.test('x\nfoo')).toBe(false);
    expect(regex.test('A')).toBe(false);
    expect(compiled('end\\z').test('the end')).toBe(true);
  });

  it('translates {,n} to {0,n}', () => {
    const regex = compiled('^x{,2}$');
    expect(regex.source).toBe('^x{0,2}$');
    expect(regex.test('')).toBe(true);
    expect(regex.test('xxx')).toBe(false);
  });

  it('keeps a leading ] inside a class literal, as Python does', () => {
    const regex = compiled('^[]a]+$');
    expect(regex.test(']a]')).toBe(true);
    expect(compiled('[^]]').test(']')).toBe(false);
  });

  it('turns \\U escapes into the character and \\a into BEL', () => {
    expect(compiled('\\U0001F600').test('smile 😀')).toBe(true);
    expect(compiled('\\a').test('\x07')).toBe(true);
    expect(rejection('\\U12')).toContain('8 hex digits');
  });

  it('falls back to non-unicode mode for identity escapes Python allows', () => {
    const regex = compiled('a\\:b\\-c');
    expect(regex.flags).not.toContain('u');
    expect(regex.test('a:b-c')).toBe(true);
  });

  it('uses unicode mode when it can', () => {
    expect(compiled('^.$').flags).toContain('u');
    expect(compiled('^.$').test('😀')).toBe(true);
  });

  it('leaves escapes inside classes alone', () => {
    expect(compiled('[\\d\\]]+').test('1]2')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import type { FilterRuleKey } from '../../src/filters/filter-spec.js';
import { buildRuleCheck, compileRegex } from '../../src/filters/rule-checks.js';
import { FilterSpecError } from '../../src/filters/errors.js';

/** The detail when the rule fails, `undefined` when it holds. */
function run(key: FilterRuleKey, expected: unknown, value: unknown): string | undefined {
  return buildRuleCheck('f', key, expected).check(value);
}

describe('length rules', () => {
  it('min_chars and max_chars count Unicode code points', () => {
    expect(run('min_chars', 3, 'abc')).toBeUndefined();
    expect(run('min_chars', 4, 'abc')).toBe('3 chars < 4');
    expect(run('max_chars', 2, 'abc')).toBe('3 chars > 2');
    expect(run('max_chars', 3, 'abc')).toBeUndefined();
    // Two astral emoji are 4 UTF-16 units but 2 code points.
    expect(run('max_chars', 2, '😀😀')).toBeUndefined();
    expect(run('min_chars', 3, '😀😀')).toBe('2 chars < 3');
    expect(run('min_chars', 1, 'é')).toBeUndefined();
  });

  it('min_words and max_words split on any whitespace', () => {
    expect(run('min_words', 3, '  one\ttwo\nthree  ')).toBeUndefined();
    expect(run('min_words', 4, 'one two three')).toBe('3 words < 4');
    expect(run('max_words', 2, 'one two three')).toBe('3 words > 2');
    expect(run('max_words', 0, '   ')).toBeUndefined();
    expect(run('min_words', 1, '')).toBe('0 words < 1');
  });

  it('fail on values that are not strings, naming the type', () => {
    expect(run('min_chars', 1, 42)).toBe('expected a string, got number');
    expect(run('max_words', 1, ['a'])).toBe('expected a string, got list');
    expect(run('min_chars', 1, null)).toBe('expected a string, got null');
  });
});

describe('regex rules', () => {
  it('matches searches anywhere; not_matches reports what matched', () => {
    expect(run('matches', '\\d+', 'abc 123')).toBeUndefined();
    expect(run('matches', '^\\d+$', 'abc 123')).toBe('no match');
    expect(run('not_matches', '(?i)as an ai', 'Sure. As an AI, I...')).toBe('matched "As an AI"');
    expect(run('not_matches', '(?i)as an ai', 'Sure.')).toBeUndefined();
    expect(run('matches', 'x', 3)).toBe('expected a string, got number');
  });

  it('keeps no state between values, even for a RegExp with the g flag', () => {
    const check = buildRuleCheck('f', 'matches', /a/g);
    expect(check.check('a')).toBeUndefined();
    expect(check.check('a')).toBeUndefined();
    // Sticky would only look at index 0: the flag is dropped, the pattern searches the whole value.
    expect(compileRegex(/a/gy).test('xa')).toBe(true);
  });

  it('labels a pattern as written', () => {
    expect(buildRuleCheck('answer', 'not_matches', '(?i)as an ai').label).toBe('answer not_matches "(?i)as an ai"');
    expect(buildRuleCheck('a', 'matches', '^\\d+$').label).toBe('a matches "^\\d+$"');
    expect(buildRuleCheck('a', 'matches', /x/i).label).toBe('a matches /x/i');
  });

  it('throws FilterSpecError for a pattern it cannot translate', () => {
    expect(() => buildRuleCheck('a', 'matches', 'a++')).toThrow(FilterSpecError);
  });

  it('names the rule key as the path of an untranslatable pattern', () => {
    let caught: unknown;
    try {
      buildRuleCheck('a', 'not_matches', 'a++');
    } catch (error) {
      caught = error;
    }
    expect((caught as FilterSpecError).issues).toEqual([{ code: 'invalid_regex', path: ['not_matches'], message: expect.any(String) }]);
    expect((caught as FilterSpecError).message).toMatch(/^invalid filter:\n {2}not_matches: /);
  });
});

describe('equality and membership', () => {
  it('eq and ne compare strictly', () => {
    expect(run('eq', 'n/a', 'n/a')).toBeUndefined();
    expect(run('eq', 'n/a', 'ok')).toBe('got "ok"');
    expect(run('eq', 4, '4')).toBe('got string "4", expected number 4');
    expect(run('eq', null, null)).toBeUndefined();
    expect(run('ne', 'n/a', 'n/a')).toBe('is "n/a"');
    expect(run('ne', 4, '4')).toBeUndefined();
  });

  it('in and not_in test membership, item by item for lists', () => {
    expect(run('in', ['positive', 'negative'], 'positive')).toBeUndefined();
    expect(run('in', ['positive', 'negative'], 'neutral')).toBe('"neutral" is not in the list');
    expect(run('in', ['1'], 1)).toBe('1 is not in the list');
    expect(run('in', ['a', 'b'], ['a', 'b', 'a'])).toBeUndefined();
    expect(run('in', ['a', 'b'], ['a', 'c'])).toBe('"c" is not in the list');
    expect(run('not_in', ['spam'], 'ham')).toBeUndefined();
    expect(run('not_in', ['spam'], 'spam')).toBe('"spam" is in the list');
    expect(run('not_in', ['spam'], ['ham', 'spam'])).toBe('"spam" is in the list');
    expect(run('not_in', ['spam'], ['ham', 'eggs'])).toBeUndefined();
  });
});

describe('numeric comparisons', () => {
  it.each([
    ['gt', 4, 5, undefined],
    ['gt', 4, 4, '4 <= 4'],
    ['gte', 4, 4, undefined],
    ['gte', 4, 3.5, '3.5 < 4'],
    ['lt', 4, 3, undefined],
    ['lt', 4, 4, '4 >= 4'],
    ['lte', 4, 4, undefined],
    ['lte', 4, 5, '5 > 4'],
  ] as const)('%s %d against %d', (key, bound, value, detail) => {
    expect(run(key, bound, value)).toBe(detail);
  });

  it('does not coerce numeric strings, and says so', () => {
    expect(run('gte', 4, '5')).toBe('is a string ("5"), not a number; numeric strings are not converted');
    expect(run('lt', 4, true)).toBe('expected a number, got boolean');
    expect(run('gt', 0, null)).toBe('expected a number, got null');
    expect(run('gt', 0, Number.NaN)).toBe('expected a number, got number');
  });
});

describe('missing fields', () => {
  it.each(['min_chars', 'max_chars', 'min_words', 'max_words', 'matches', 'not_matches', 'eq', 'gt', 'gte', 'lt', 'lte', 'in'] as const)(
    '%s fails with "field missing"',
    (key) => {
      const expected = key === 'in' ? ['x'] : key.endsWith('matches') ? 'x' : 1;
      expect(run(key, expected, undefined)).toBe('field missing');
    },
  );

  it('ne, not_in and exists: false hold on a missing field', () => {
    expect(run('ne', 'n/a', undefined)).toBeUndefined();
    expect(run('not_in', ['spam'], undefined)).toBeUndefined();
    expect(run('exists', false, undefined)).toBeUndefined();
  });

  it('exists treats null as absent', () => {
    expect(run('exists', true, undefined)).toBe('field missing');
    expect(run('exists', true, null)).toBe('field is null');
    expect(run('exists', true, '')).toBeUndefined();
    expect(run('exists', false, null)).toBeUndefined();
    expect(run('exists', false, 0)).toBe('field is present');
  });
});

describe('labels', () => {
  it('read as field, rule, value', () => {
    expect(buildRuleCheck('answer', 'min_chars', 80).label).toBe('answer min_chars 80');
    expect(buildRuleCheck('meta.score', 'gte', 4).label).toBe('meta.score gte 4');
    expect(buildRuleCheck('label', 'in', ['positive', 'negative']).label).toBe('label in ["positive", "negative"]');
    expect(buildRuleCheck('b', 'eq', 'n/a').label).toBe('b eq "n/a"');
    expect(buildRuleCheck('b', 'exists', true).label).toBe('b exists true');
  });

  it('previews long values in details without dumping them', () => {
    const detail = run('eq', 'x', 'y'.repeat(500))!;
    expect(detail.length).toBeLessThan(80);
    expect(detail).toContain('…');
  });
});

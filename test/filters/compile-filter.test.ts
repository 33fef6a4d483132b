import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/filters/compile-filter.js';
import { FilterSpecError } from '../../src/filters/errors.js';
import { SynthforgeError } from '../../src/errors.js';

const LONG_ANSWER = 'Reset the router by holding the button for ten seconds, then wait for the light to turn green.';

describe('compileFilter: one rule object', () => {
  const filter = compileFilter({ field: 'answer', min_chars: 80, not_matches: '(?i)as an ai' });

  it('keeps a record that passes every rule', () => {
    expect(filter.test({ answer: LONG_ANSWER })).toEqual({ keep: true });
  });

  it('attributes a removal to the first failing rule in written order', () => {
    expect(filter.test({ answer: 'As an AI, no.' })).toEqual({ keep: false, rule: 'answer min_chars 80', detail: '13 chars < 80' });
    const reordered = compileFilter({ field: 'answer', not_matches: '(?i)as an ai', min_chars: 80 });
    expect(reordered.test({ answer: 'As an AI, no.' })).toMatchObject({ rule: 'answer not_matches "(?i)as an ai"', detail: 'matched "As an AI"' });
  });

  it('lists its rules in written order', () => {
    expect(filter.rules).toEqual(['answer min_chars 80', 'answer not_matches "(?i)as an ai"']);
  });

  it('reports a missing field', () => {
    expect(filter.test({ question: 'x' })).toEqual({ keep: false, rule: 'answer min_chars 80', detail: 'field missing' });
  });

  it('reads nested fields and list items', () => {
    const score = compileFilter({ field: 'meta.score', gte: 4 });
    expect(score.test({ meta: { score: 5 } }).keep).toBe(true);
    expect(score.test({ meta: { score: 3 } })).toEqual({ keep: false, rule: 'meta.score gte 4', detail: '3 < 4' });
    expect(score.test({ meta: { score: '5' } })).toMatchObject({ detail: expect.stringContaining('not converted') });
    const first = compileFilter({ field: 'answers[0].text', min_words: 2 });
    expect(first.test({ answers: [{ text: 'two words' }] }).keep).toBe(true);
    expect(first.test({ answers: [] })).toMatchObject({ rule: 'answers[0].text min_words 2', detail: 'field missing' });
  });

  it('checks membership', () => {
    const label = compileFilter({ field: 'label', in: ['positive', 'negative'] });
    expect(label.test({ label: 'negative' }).keep).toBe(true);
    expect(label.test({ label: 'neutral' })).toMatchObject({ rule: 'label in ["positive", "negative"]' });
  });
});

describe('compileFilter: combinators', () => {
  it('all: the first failing child, in list order', () => {
    const filter = compileFilter({ all: [{ field: 'a', matches: '^\\d+$' }, { field: 'b', ne: 'n/a' }] });
    expect(filter.test({ a: '12', b: 'ok' }).keep).toBe(true);
    expect(filter.test({ a: 'x', b: 'n/a' })).toEqual({ keep: false, rule: 'a matches "^\\d+$"', detail: 'no match' });
    expect(filter.test({ a: '1', b: 'n/a' })).toEqual({ keep: false, rule: 'b ne "n/a"', detail: 'is "n/a"' });
    expect(filter.rules).toEqual(['a matches "^\\d+$"', 'b ne "n/a"']);
  });

  it('any: kept when one alternative holds; otherwise the combinator, with each reason', () => {
    const filter = compileFilter({ any: [{ field: 'q', max_words: 3 }, { field: 'tags', not_in: ['spam'] }] });
    expect(filter.test({ q: 'a b c d', tags: ['ham'] }).keep).toBe(true);
    expect(filter.test({ q: 'a b', tags: ['spam'] }).keep).toBe(true);
    const verdict = filter.test({ q: 'a b c d', tags: ['ham', 'spam'] });
    expect(verdict).toEqual({
      keep: false,
      rule: 'any(q max_words 3 | tags not_in ["spam"])',
      detail: 'none held: q max_words 3: 4 words > 3; tags not_in ["spam"]: "spam" is in the list',
    });
    expect(filter.rules).toEqual(['any(q max_words 3 | tags not_in ["spam"])']);
  });

  it('not: removed when the inner condition holds, saying what the value was', () => {
    const filter = compileFilter({ not: { field: 'b', eq: 'n/a' } });
    expect(filter.test({ b: 'fine' }).keep).toBe(true);
    expect(filter.test({}).keep).toBe(true);
    expect(filter.test({ b: 'n/a' })).toEqual({ keep: false, rule: 'not(b eq "n/a")', detail: 'b eq "n/a" held (b = "n/a")' });
  });

  it('not over a combinator', () => {
    const filter = compileFilter({ not: { any: [{ field: 'a', eq: 1 }, { field: 'b', eq: 2 }] } });
    expect(filter.test({ a: 0, b: 0 }).keep).toBe(true);
    expect(filter.test({ a: 1 })).toEqual({ keep: false, rule: 'not(any(a eq 1 | b eq 2))', detail: 'any(a eq 1 | b eq 2) held' });
  });

  it('nests', () => {
    const filter = compileFilter({
      all: [
        { field: 'answer', min_chars: 5 },
        { any: [{ field: 'lang', eq: 'en' }, { all: [{ field: 'lang', eq: 'fr' }, { field: 'reviewed', eq: true }] }] },
      ],
    });
    expect(filter.test({ answer: 'hello', lang: 'en' }).keep).toBe(true);
    expect(filter.test({ answer: 'hello', lang: 'fr', reviewed: true }).keep).toBe(true);
    const verdict = filter.test({ answer: 'hello', lang: 'fr', reviewed: false });
    expect(verdict).toMatchObject({ keep: false, rule: 'any(lang eq "en" | all(lang eq "fr", reviewed eq true))' });
    expect(verdict.keep === false && verdict.detail).toBe('none held: lang eq "en": got "fr"; reviewed eq true: got false');
  });
});

describe('compileFilter: names', () => {
  it('a named node reports its name, with the inner rule in the detail', () => {
    const filter = compileFilter({
      all: [{ field: 'a', matches: '^\\d+$' }, { not: { field: 'b', eq: 'n/a' } }],
      name: 'clean-answers',
    });
    expect(filter.rules).toEqual(['clean-answers']);
    expect(filter.test({ a: 'x', b: 'ok' })).toEqual({ keep: false, rule: 'clean-answers', detail: 'a matches "^\\d+$": no match' });
    expect(filter.test({ a: '1', b: 'n/a' })).toEqual({
      keep: false,
      rule: 'clean-answers',
      detail: 'not(b eq "n/a"): b eq "n/a" held (b = "n/a")',
    });
  });

  it('a named rule object or any keeps the detail readable', () => {
    const named = compileFilter({ field: 'answer', min_chars: 10, name: 'long-enough' });
    expect(named.test({ answer: 'short' })).toEqual({ keep: false, rule: 'long-enough', detail: 'answer min_chars 10: 5 chars < 10' });
    const namedAny = compileFilter({ any: [{ field: 'a', eq: 1 }, { field: 'b', eq: 1 }], name: 'one-set' });
    expect(namedAny.test({})).toEqual({ keep: false, rule: 'one-set', detail: 'none held: a eq 1: field missing; b eq 1: field missing' });
  });

  it('inner names show up in the parent list of rules', () => {
    const filter = compileFilter({ all: [{ field: 'a', eq: 1, name: 'first' }, { field: 'b', eq: 2 }] });
    expect(filter.rules).toEqual(['first', 'b eq 2']);
    expect(filter.test({ a: 2, b: 2 })).toMatchObject({ rule: 'first' });
  });
});

describe('compileFilter: invalid specs', () => {
  it('throws a FilterSpecError listing every issue', () => {
    let caught: unknown;
    try {
      compileFilter({ all: [{ field: 'a', matches: '(?P<n>x)' }, { field: 'b', min_char: 3 } as never] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FilterSpecError);
    expect(SynthforgeError.isInstance(caught)).toBe(true);
    const error = caught as FilterSpecError;
    expect(error.code).toBe('filter_invalid');
    expect(error.exitCode).toBe(2);
    expect(error.issues).toHaveLength(2);
    expect(error.issues.map((issue) => [issue.code, issue.path])).toEqual([
      ['invalid_regex', ['all', 0, 'matches']],
      ['unknown_key', ['all', 1, 'min_char']],
    ]);
    expect(error.message).toContain('(?<n>...)');
    expect(error.message).toContain('min_chars');
  });
});

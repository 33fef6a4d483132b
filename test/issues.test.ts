import { describe, expect, it } from 'vitest';
import { didYouMean, formatIssues, formatPath, toIssuePath } from '../src/issues.js';

describe('formatPath', () => {
  it('joins keys with dots and indexes with brackets', () => {
    expect(formatPath(['answer', 2, 'text'])).toBe('answer[2].text');
    expect(formatPath([0, 'a'])).toBe('[0].a');
  });

  it('prints recipe key paths as recipe issues show them', () => {
    expect(formatPath(['steps', 0, 'temprature'])).toBe('steps[0].temprature');
    expect(formatPath(['steps', 1])).toBe('steps[1]');
  });

  it('names the root', () => {
    expect(formatPath([])).toBe('(root)');
  });

  it('quotes keys that are not identifiers', () => {
    expect(formatPath(['user', 'first name', 'x-y'])).toBe('user["first name"].x-y');
    expect(formatPath(['a.b'])).toBe('["a.b"]');
  });
});

describe('formatIssues', () => {
  it('writes one line per issue', () => {
    const text = formatIssues([
      { code: 'invalid_type', path: ['answer', 2, 'text'], message: 'expected string, got null' },
      { code: 'invalid_type', path: [], message: 'expected object, got array' },
    ]);
    expect(text).toBe('answer[2].text: expected string, got null\n(root): expected object, got array');
  });
});

describe('toIssuePath', () => {
  it('keeps numbers and strings, and prints symbols', () => {
    expect(toIssuePath(['a', 0, Symbol('s')])).toEqual(['a', 0, 'Symbol(s)']);
  });
});

describe('didYouMean', () => {
  it('ignores case and returns the candidate as written', () => {
    expect(didYouMean('STRNG', ['string', 'number'])).toBe('string');
    expect(didYouMean('minlength', ['minLength'])).toBe('minLength');
  });

  it('counts swapping two neighbouring letters as one edit', () => {
    expect(didYouMean('minLenght', ['maxLength', 'minLength'])).toBe('minLength');
    expect(didYouMean('anwser', ['answer'])).toBe('answer');
  });

  it('allows two edits up to 8 characters, then one more per 3 characters', () => {
    expect(didYouMean('xyz', ['xy'])).toBe('xy');
    expect(didYouMean('abcdefgh', ['abcdefxy'])).toBe('abcdefxy');
    expect(didYouMean('abcdefgh', ['abcdexyz'])).toBeUndefined();
    expect(didYouMean('abcdefghi', ['abcdefxyz'])).toBe('abcdefxyz');
    expect(didYouMean('abcdefghi', ['abcdewxyz'])).toBeUndefined();
  });

  it('prefers the nearest candidate, and the first one listed on a tie', () => {
    expect(didYouMean('min_char', ['max_chars', 'min_chars'])).toBe('min_chars');
    expect(didYouMean('ab', ['ax', 'ay'])).toBe('ax');
  });

  it('suggests nothing when no candidate is close', () => {
    expect(didYouMean('wibble', ['field', 'name', 'min_chars'])).toBeUndefined();
    expect(didYouMean('anything', [])).toBeUndefined();
  });
});

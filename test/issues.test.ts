import { describe, expect, it } from 'vitest';
import { formatIssues, formatPath } from '../src/issues.js';

describe('formatPath', () => {
  it('joins keys with dots and indexes with brackets', () => {
    expect(formatPath(['answer', 2, 'text'])).toBe('answer[2].text');
    expect(formatPath([0, 'a'])).toBe('[0].a');
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

import { describe, expect, it } from 'vitest';
import { parseFieldPath, readFieldPath, type FieldPath } from '../../src/filters/field-path.js';

function path(text: string): FieldPath {
  const parsed = parseFieldPath(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

describe('parseFieldPath', () => {
  it('splits names and list indexes', () => {
    expect(path('answer').segments).toEqual(['answer']);
    expect(path('meta.score').segments).toEqual(['meta', 'score']);
    expect(path('answers[0].text').segments).toEqual(['answers', 0, 'text']);
    expect(path('grid[1][2]').segments).toEqual(['grid', 1, 2]);
    expect(path('a b.c-d').segments).toEqual(['a b', 'c-d']);
  });

  it.each(['', 'a.', '.a', 'a..b', '[0]', 'a.[0]', 'a[x]', 'a[0]b', 'a[-1]'])('rejects %j with a hint', (text) => {
    const parsed = parseFieldPath(text);
    expect(parsed).toHaveProperty('error');
    if (text !== '') expect((parsed as { error: string }).error).toContain('answers[0].text');
  });
});

describe('readFieldPath', () => {
  const fields = {
    answer: 'yes',
    meta: { score: 4, nested: { deep: null } },
    answers: [{ text: 'first' }, { text: 'second' }],
    'meta.flat': 'a dotted column',
  };

  it('reads nested objects and list items', () => {
    expect(readFieldPath(fields, path('answer'))).toBe('yes');
    expect(readFieldPath(fields, path('meta.score'))).toBe(4);
    expect(readFieldPath(fields, path('answers[1].text'))).toBe('second');
    expect(readFieldPath(fields, path('meta.nested.deep'))).toBeNull();
  });

  it('returns undefined for any absent step', () => {
    expect(readFieldPath(fields, path('nope'))).toBeUndefined();
    expect(readFieldPath(fields, path('meta.nope.deeper'))).toBeUndefined();
    expect(readFieldPath(fields, path('answers[5].text'))).toBeUndefined();
    expect(readFieldPath(fields, path('answer[0]'))).toBeUndefined();
    expect(readFieldPath(fields, path('answers.text'))).toBeUndefined();
    expect(readFieldPath(fields, path('answer.length'))).toBeUndefined();
  });

  it('prefers a top-level key that contains the dots', () => {
    expect(readFieldPath(fields, path('meta.flat'))).toBe('a dotted column');
  });

  it('does not read inherited properties', () => {
    expect(readFieldPath(fields, path('meta.constructor'))).toBeUndefined();
    expect(readFieldPath(fields, path('toString'))).toBeUndefined();
  });
});

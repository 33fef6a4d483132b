import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { filterSpecSchema, listFilterSpecIssues } from '../../src/filters/filter-spec.js';
import { formatIssues } from '../../src/issues.js';

const RECIPE_STEPS = `
- filter: { field: answer, min_chars: 80, not_matches: "(?i)as an ai" }
- filter: { field: meta.score, gte: 4 }
- filter: { field: "answers[0].text", max_chars: 500 }
- filter: { field: label, in: [positive, negative] }
- filter: { any: [ { field: q, max_words: 40 }, { field: tags, not_in: [spam] } ] }
- filter: { all: [ { field: a, matches: "^\\\\d+$" }, { not: { field: b, eq: "n/a" } } ], name: clean-answers }
`;

function issuesOf(value: unknown): z.core.$ZodIssue[] {
  const result = filterSpecSchema.safeParse(value);
  return result.success ? [] : result.error.issues;
}

describe('filterSpecSchema', () => {
  it.each((parse(RECIPE_STEPS) as { filter: unknown }[]).map((step) => [JSON.stringify(step.filter), step.filter]))(
    'accepts %s',
    (_text, spec) => {
      expect(issuesOf(spec)).toEqual([]);
    },
  );

  it('returns the object it was given, keys in written order', () => {
    const spec = { not_matches: 'x', field: 'answer', min_chars: 3 };
    const parsed = filterSpecSchema.parse(spec);
    expect(parsed).toBe(spec);
    expect(Object.keys(parsed)).toEqual(['not_matches', 'field', 'min_chars']);
  });

  it('embeds in a strict parent with paths that point into the filter', () => {
    const step = z.strictObject({ filter: filterSpecSchema });
    const result = step.safeParse({ filter: { all: [{ field: 'a', min_chars: 1 }, { field: 'b', min_char: 3 }] } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['filter', 'all', 1, 'min_char']);
  });

  it('rejects a typo, naming the closest key and listing the allowed ones', () => {
    const [issue] = issuesOf({ field: 'answer', min_char: 80 });
    expect(issue!.path).toEqual(['min_char']);
    expect(issue!.message).toContain('unknown key "min_char"');
    expect(issue!.message).toContain('did you mean "min_chars"?');
    expect(issue!.message).toContain('allowed keys: field, name, min_chars');
  });

  it('lists the allowed keys even without a close match', () => {
    const [issue] = issuesOf({ field: 'answer', min_chars: 1, wibble: true });
    expect(issue!.message).not.toContain('did you mean');
    expect(issue!.message).toContain('not_matches');
  });

  it('needs a field and at least one rule on a rule object', () => {
    expect(issuesOf({ field: 'answer' })[0]!.message).toContain('at least one rule');
    expect(issuesOf({ min_chars: 3 })[0]!.message).toContain('needs `field`');
    expect(issuesOf({ field: 'a', name: 'x' })[0]!.message).toContain('at least one rule');
  });

  it('rejects mixing combinators, or a combinator with rules', () => {
    expect(issuesOf({ all: [{ field: 'a', eq: 1 }], any: [{ field: 'a', eq: 1 }] })[0]!.message).toContain('one of all / any / not');
    expect(issuesOf({ field: 'a', eq: 1, not: { field: 'b', eq: 1 } })[0]!.message).toContain('cannot be mixed');
  });

  it('rejects empty combinator lists and non-objects', () => {
    expect(issuesOf({ any: [] })[0]!.message).toContain('non-empty list');
    expect(issuesOf({ all: { field: 'a', eq: 1 } })[0]!.message).toContain('non-empty list');
    expect(issuesOf('answer')[0]!.message).toContain('expected a filter');
    expect(issuesOf({ not: [{ field: 'a', eq: 1 }] })[0]!.path).toEqual(['not']);
  });

  it.each([
    [{ field: 'a', min_chars: -1 }, ['min_chars'], '>=0'],
    [{ field: 'a', max_words: 2.5 }, ['max_words'], 'int'],
    [{ field: 'a', gte: '4' }, ['gte'], 'expected number'],
    [{ field: 'a', in: [] }, ['in'], 'expected array to have >=1'],
    [{ field: 'a', not_in: [{ x: 1 }] }, ['not_in', 0], ''],
    [{ field: 'a', eq: { x: 1 } }, ['eq'], ''],
    [{ field: 'a', exists: 'yes' }, ['exists'], 'expected boolean'],
    [{ field: 'a', matches: '' }, ['matches'], ''],
    [{ field: 'a', eq: 1, name: '' }, ['name'], 'non-empty'],
    [{ field: 3, eq: 1 }, ['field'], 'field path'],
    [{ field: 'a..b', eq: 1 }, ['field'], 'does not parse'],
  ])('rejects the bad value in %j', (spec, path, words) => {
    const [issue] = issuesOf(spec);
    expect(issue!.path).toEqual(path);
    expect(issue!.message).toContain(words);
  });

  it('reports a regex JavaScript cannot run at its key, with the fix', () => {
    const [issue] = issuesOf({ any: [{ field: 'a', matches: '(?P<x>a)' }] });
    expect(issue!.path).toEqual(['any', 0, 'matches']);
    expect(issue!.message).toContain('(?<x>...)');
  });

  it('accepts RegExp objects and null comparisons from TS recipes, and ignores undefined keys', () => {
    expect(issuesOf({ field: 'a', matches: /^x/i, eq: null, ne: undefined })).toEqual([]);
  });

  it('collects every issue, at any depth', () => {
    const issues = listFilterSpecIssues({
      all: [{ field: 'a', min_char: 1 }, { not: { field: 'b', gt: 'x' } }, { any: [{ field: 'c', matches: '(?x)a' }] }],
    });
    expect(issues).toHaveLength(3);
    const lines = formatIssues(issues).split('\n');
    expect(lines[0]).toMatch(/^all\[0\]\.min_char: unknown key/);
    expect(lines[1]).toMatch(/^all\[1\]\.not\.gt: /);
    expect(lines[2]).toMatch(/^all\[2\]\.any\[0\]\.matches: .*verbose/);
    expect(issues.map((issue) => [issue.code, issue.path])).toEqual([
      ['unknown_key', ['all', 0, 'min_char']],
      ['invalid_type', ['all', 1, 'not', 'gt']],
      ['invalid_regex', ['all', 2, 'any', 0, 'matches']],
    ]);
  });

  it('carries each issue\'s own code into the zod issue, for the recipe loader', () => {
    const [issue] = issuesOf({ field: 'answer', min_char: 80 });
    expect(issue).toMatchObject({ code: 'custom', params: { code: 'unknown_key' } });
    expect(issuesOf({ field: 'a..b', eq: 1 })[0]).toMatchObject({ params: { code: 'invalid_field_path' } });
  });
});

/**
 * The `filter:` step of a recipe. One node is either a rule object on one field, or a combinator:
 *
 *   { field: answer, min_chars: 80, not_matches: "(?i)as an ai" }   several rules on one field: all must hold
 *   { all: [node, ...] }  { any: [node, ...] }  { not: node }        nestable; any node may carry `name`
 *
 * The zod model validates by hand instead of with `z.strictObject`, for one reason: zod rebuilds an
 * object in the order of its shape, and a removed record is attributed to the first failing rule *in
 * written order*. So the model checks the user's object and returns that same object, keys in the
 * order they were written. Unknown keys still fail, naming the closest allowed key and listing all.
 */
import { z } from 'zod';
import { didYouMean, toIssuePath, type Issue } from '../issues.js';
import { parseFieldPath } from './field-path.js';
import { translatePythonRegex } from './translate-regex.js';

export type FilterScalar = string | number | boolean | null;

export interface FilterRuleSpec {
  /** Dotted path into the record: `answer`, `meta.score`, `answers[0].text`. */
  field: string;
  /** Shown instead of the rule in reject reasons and the manifest. */
  name?: string;
  /** Length in Unicode code points. */
  min_chars?: number;
  max_chars?: number;
  /** Words are runs of non-whitespace. */
  min_words?: number;
  max_words?: number;
  /** Searched anywhere in the value (Python `re.search`); Python syntax such as a leading `(?i)` is translated. */
  matches?: string | RegExp;
  not_matches?: string | RegExp;
  /** Strict equality: `4` does not equal `"4"`. */
  eq?: FilterScalar;
  ne?: FilterScalar;
  /** Numbers only; a numeric string fails the rule (it is not converted). */
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  /** Membership; on a list value, `in` needs every item in the list and `not_in` needs none. */
  in?: FilterScalar[];
  not_in?: FilterScalar[];
  /** `true`: the field is present and not null. `false`: it is absent or null. */
  exists?: boolean;
}

export interface FilterAllSpec {
  all: FilterSpec[];
  name?: string;
}

export interface FilterAnySpec {
  any: FilterSpec[];
  name?: string;
}

export interface FilterNotSpec {
  not: FilterSpec;
  name?: string;
}

export type FilterSpec = FilterRuleSpec | FilterAllSpec | FilterAnySpec | FilterNotSpec;

export const FILTER_RULE_KEYS = [
  'min_chars',
  'max_chars',
  'min_words',
  'max_words',
  'matches',
  'not_matches',
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'not_in',
  'exists',
] as const;
export type FilterRuleKey = (typeof FILTER_RULE_KEYS)[number];

export const FILTER_COMBINATOR_KEYS = ['all', 'any', 'not'] as const;
const ALLOWED_KEYS: readonly string[] = ['field', 'name', ...FILTER_RULE_KEYS, ...FILTER_COMBINATOR_KEYS];

const count = z.int().nonnegative();
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const pattern = z.union([z.string().min(1), z.instanceof(RegExp)]);
const RULE_VALUE_SCHEMAS: Readonly<Record<FilterRuleKey, z.ZodType>> = {
  min_chars: count,
  max_chars: count,
  min_words: count,
  max_words: count,
  matches: pattern,
  not_matches: pattern,
  eq: scalar,
  ne: scalar,
  gt: z.number(),
  gte: z.number(),
  lt: z.number(),
  lte: z.number(),
  in: z.array(scalar).min(1),
  not_in: z.array(scalar).min(1),
  exists: z.boolean(),
};

type Path = (string | number)[];
type Report = (path: Path, code: string, message: string) => void;

/**
 * The recipe loader embeds this; it returns the object it was given (see the header for why). Each
 * issue's own code rides in `params.code`, which the recipe loader reports instead of zod's `custom`.
 */
export const filterSpecSchema: z.ZodType<FilterSpec, FilterSpec> = z.custom<FilterSpec>().superRefine((value, context) => {
  checkFilterNode(value, [], (path, code, message) => context.addIssue({ code: 'custom', path, message, params: { code } }));
});

/** Every problem in a filter spec, paths relative to the spec (empty when valid). */
export function listFilterSpecIssues(value: unknown): Issue[] {
  const issues: Issue[] = [];
  checkFilterNode(value, [], (path, code, message) => issues.push({ code, path, message }));
  return issues;
}

function checkFilterNode(value: unknown, path: Path, report: Report): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    report(path, 'invalid_type', 'expected a filter: a rule object such as { field: answer, min_chars: 80 }, or { all | any: [...] }, or { not: {...} }');
    return;
  }
  const node = value as Record<string, unknown>;
  const keys = Object.keys(node).filter((key) => node[key] !== undefined);
  const unknown = keys.filter((key) => !ALLOWED_KEYS.includes(key));
  for (const key of unknown) report([...path, key], 'unknown_key', unknownKeyMessage(key));

  if (keys.includes('name') && (typeof node.name !== 'string' || node.name.trim() === '')) {
    report([...path, 'name'], 'invalid_value', 'expected a non-empty string');
  }
  const combinators = FILTER_COMBINATOR_KEYS.filter((key) => keys.includes(key));
  const rules = FILTER_RULE_KEYS.filter((key) => keys.includes(key));
  if (combinators.length > 1) {
    report(path, 'mixed_combinators', `use one of all / any / not per object, found ${combinators.join(' and ')}; nest them instead`);
    return;
  }
  if (combinators.length === 1) {
    if (keys.includes('field') || rules.length > 0) {
      report(path, 'mixed_combinators', `"${combinators[0]}" cannot be mixed with field rules in one object; move the rules into the list`);
      return;
    }
    checkCombinator(combinators[0]!, node[combinators[0]!], [...path, combinators[0]!], report);
    return;
  }
  checkRuleObject(node, rules, path, report, unknown.length > 0);
}

function checkCombinator(key: 'all' | 'any' | 'not', value: unknown, path: Path, report: Report): void {
  if (key === 'not') {
    checkFilterNode(value, path, report);
    return;
  }
  if (!Array.isArray(value) || value.length === 0) {
    report(path, 'empty_combinator', `expected a non-empty list of filters under "${key}"`);
    return;
  }
  value.forEach((child, index) => checkFilterNode(child, [...path, index], report));
}

function checkRuleObject(
  node: Record<string, unknown>,
  rules: readonly FilterRuleKey[],
  path: Path,
  report: Report,
  hasUnknownKeys: boolean,
): void {
  if (node.field === undefined) {
    report(path, 'missing_key', 'a rule object needs `field` (the value to test), or use all / any / not');
  } else if (typeof node.field !== 'string') {
    report([...path, 'field'], 'invalid_type', 'expected a field path such as answer or meta.score');
  } else {
    const parsed = parseFieldPath(node.field);
    if ('error' in parsed) report([...path, 'field'], 'invalid_field_path', parsed.error);
  }
  // With a typo such as `min_char`, the unknown-key issue already says what is wrong.
  if (rules.length === 0 && !hasUnknownKeys) {
    report(path, 'missing_rule', `a rule object needs at least one rule: ${FILTER_RULE_KEYS.join(', ')}`);
  }
  for (const key of rules) {
    const result = RULE_VALUE_SCHEMAS[key].safeParse(node[key]);
    if (!result.success) {
      for (const issue of result.error.issues) report([...path, key, ...toIssuePath(issue.path)], issue.code, issue.message.replace(/^Invalid input: /, ''));
      continue;
    }
    if ((key === 'matches' || key === 'not_matches') && typeof node[key] === 'string') {
      const translated = translatePythonRegex(node[key]);
      if (!translated.ok) report([...path, key], translated.code, translated.message);
    }
  }
}

function unknownKeyMessage(key: string): string {
  const suggestion = didYouMean(key, ALLOWED_KEYS);
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
  return `unknown key "${key}"${hint}; allowed keys: ${ALLOWED_KEYS.join(', ')}`;
}

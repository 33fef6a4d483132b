/**
 * Compiles a filter spec once (paths parsed, regexes translated and built) into a predicate over
 * record fields. Every removed record is attributed to exactly one rule, so the manifest can say how
 * many records each rule removed:
 * - a rule object: the first failing rule in written order ("answer min_chars 80", "37 chars < 80");
 * - `all`: the first failing child, in list order;
 * - `any`: the combinator itself, its detail summarising why each alternative failed;
 * - `not`: the combinator itself, its detail saying what held;
 * - a node with `name`: that name, whatever failed inside it.
 */
import { readFieldPath, parseFieldPath, type FieldPath } from './field-path.js';
import {
  FILTER_RULE_KEYS,
  listFilterSpecIssues,
  type FilterAllSpec,
  type FilterAnySpec,
  type FilterNotSpec,
  type FilterRuleKey,
  type FilterRuleSpec,
  type FilterSpec,
} from './filter-spec.js';
import { buildRuleCheck, preview } from './rule-checks.js';
import { FilterSpecError } from './errors.js';

export type FilterVerdict = { keep: true } | { keep: false; rule: string; detail: string };

export interface RecordFilter {
  test(fields: Readonly<Record<string, unknown>>): FilterVerdict;
  /** Every rule label a verdict can carry, in written order: the keys of a `FilterTally`. */
  readonly rules: readonly string[];
}

type Fields = Readonly<Record<string, unknown>>;
type Failure = { rule: string; detail: string };

interface CompiledNode {
  /** The condition this node states, used when a parent `any` or `not` reports it. */
  label: string;
  rules: string[];
  fail(fields: Fields): Failure | undefined;
  /** For `not`: what the record held when the negated condition was true. */
  observe?(fields: Fields): string;
}

const KEEP: FilterVerdict = Object.freeze({ keep: true });

/** Throws `FilterSpecError` listing every problem when the spec is invalid. */
export function compileFilter(spec: FilterSpec): RecordFilter {
  const issues = listFilterSpecIssues(spec);
  if (issues.length > 0) throw new FilterSpecError(issues);
  const root = compileNode(spec);
  return {
    rules: root.rules,
    test(fields) {
      const failure = root.fail(fields);
      return failure ? { keep: false, rule: failure.rule, detail: failure.detail } : KEEP;
    },
  };
}

function compileNode(spec: FilterSpec): CompiledNode {
  const node = isAll(spec) ? compileAll(spec.all) : isAny(spec) ? compileAny(spec.any) : isNot(spec) ? compileNot(spec.not) : compileRules(spec);
  if (spec.name === undefined) return node;
  const name = spec.name;
  // `any` and `not` details already say what failed inside; a rule or `all` detail gains its rule.
  const carriesInnerRule = !(isAny(spec) || isNot(spec));
  return {
    label: name,
    rules: [name],
    fail(fields) {
      const failure = node.fail(fields);
      if (!failure) return undefined;
      return { rule: name, detail: carriesInnerRule ? `${failure.rule}: ${failure.detail}` : failure.detail };
    },
    ...(node.observe ? { observe: node.observe } : {}),
  };
}

// A TS recipe may spell an unused key as `undefined`; only a defined value selects the node kind.
const isAll = (spec: FilterSpec): spec is FilterAllSpec => (spec as FilterAllSpec).all !== undefined;
const isAny = (spec: FilterSpec): spec is FilterAnySpec => (spec as FilterAnySpec).any !== undefined;
const isNot = (spec: FilterSpec): spec is FilterNotSpec => (spec as FilterNotSpec).not !== undefined;

function compileRules(spec: FilterRuleSpec): CompiledNode {
  const path = parseFieldPath(spec.field) as FieldPath;
  const written = Object.keys(spec).filter(
    (key): key is FilterRuleKey => (FILTER_RULE_KEYS as readonly string[]).includes(key) && spec[key as FilterRuleKey] !== undefined,
  );
  const checks = written.map((key) => buildRuleCheck(spec.field, key, spec[key]));
  return {
    label: checks.map((check) => check.label).join(' and '),
    rules: checks.map((check) => check.label),
    fail(fields) {
      const value = readFieldPath(fields, path);
      for (const check of checks) {
        const detail = check.check(value);
        if (detail !== undefined) return { rule: check.label, detail };
      }
      return undefined;
    },
    observe(fields) {
      const value = readFieldPath(fields, path);
      return value === undefined ? `${spec.field} missing` : `${spec.field} = ${preview(value)}`;
    },
  };
}

function compileAll(specs: FilterSpec[]): CompiledNode {
  const children = specs.map(compileNode);
  return {
    label: `all(${children.map((child) => child.label).join(', ')})`,
    rules: [...new Set(children.flatMap((child) => child.rules))],
    fail(fields) {
      for (const child of children) {
        const failure = child.fail(fields);
        if (failure) return failure;
      }
      return undefined;
    },
  };
}

function compileAny(specs: FilterSpec[]): CompiledNode {
  const children = specs.map(compileNode);
  const label = `any(${children.map((child) => child.label).join(' | ')})`;
  return {
    label,
    rules: [label],
    fail(fields) {
      const failures: Failure[] = [];
      for (const child of children) {
        const failure = child.fail(fields);
        if (!failure) return undefined;
        failures.push(failure);
      }
      return { rule: label, detail: `none held: ${failures.map((failure) => `${failure.rule}: ${failure.detail}`).join('; ')}` };
    },
  };
}

function compileNot(spec: FilterSpec): CompiledNode {
  const child = compileNode(spec);
  const label = `not(${child.label})`;
  return {
    label,
    rules: [label],
    fail(fields) {
      if (child.fail(fields)) return undefined;
      const observed = child.observe ? ` (${child.observe(fields)})` : '';
      return { rule: label, detail: `${child.label} held${observed}` };
    },
  };
}

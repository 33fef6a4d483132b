/**
 * The fields a filter cannot judge a record without. A record lacking one is not "filtered" (the
 * filter never looked at the value) but rejected as bad input, so a missing field shows up as an
 * error with the record's source instead of vanishing into a rule's removed count.
 *
 * A rule reads its field unless every rule key on it is one a missing value satisfies or fails by
 * meaning: `exists` (its whole point is presence), `ne` and `not_in` (an absent label is not "n/a").
 * Inside `any` and `not` nothing is required: another alternative may hold, and `not` of a rule
 * on an absent field holds, as `ne` does. `all` requires what each of its children requires.
 */
import { parseFieldPath, readFieldPath, type FieldPath } from '../filters/field-path.js';
import type { FilterRuleKey, FilterRuleSpec, FilterSpec } from '../filters/filter-spec.js';
import { FILTER_RULE_KEYS } from '../filters/filter-spec.js';
import { buildRuleCheck } from '../filters/rule-checks.js';

export interface RequiredField {
  path: FieldPath;
  /** The rule that reads it, as the filter's counts name it. */
  rule: string;
}

const MISSING_IS_AN_ANSWER: ReadonlySet<FilterRuleKey> = new Set(['exists', 'ne', 'not_in']);

export function filterRequiredFields(spec: FilterSpec): RequiredField[] {
  const required = new Map<string, RequiredField>();
  collect(spec, required);
  return [...required.values()];
}

/** Why `fields` cannot be judged by the filter, or undefined when every required field is there. */
export function missingFilterField(fields: Readonly<Record<string, unknown>>, required: readonly RequiredField[]): string | undefined {
  for (const field of required) {
    if (readFieldPath(fields, field.path) === undefined) return `field "${field.path.text}" is missing (filter rule "${field.rule}" reads it)`;
  }
  return undefined;
}

function collect(spec: FilterSpec, into: Map<string, RequiredField>): void {
  if ('all' in spec && spec.all !== undefined) {
    for (const child of spec.all) collect(child, into);
    return;
  }
  if (('any' in spec && spec.any !== undefined) || ('not' in spec && spec.not !== undefined)) return;
  const rule = spec as FilterRuleSpec;
  const keys = FILTER_RULE_KEYS.filter((key) => rule[key] !== undefined);
  if (keys.some((key) => key === 'exists')) return;
  const reading = keys.find((key) => !MISSING_IS_AN_ANSWER.has(key));
  if (reading === undefined || into.has(rule.field)) return;
  const path = parseFieldPath(rule.field);
  // The filter compiler has already refused a path that does not parse.
  if ('error' in path) return;
  into.set(rule.field, { path, rule: rule.name ?? buildRuleCheck(rule.field, reading, rule[reading]).label });
}

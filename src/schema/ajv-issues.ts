import type { ErrorObject } from 'ajv';
import type { Issue } from '../issues.js';
import { pointerToValuePath } from './json-pointer.js';
import { jsonTypeOf } from './json-schema.js';

const UNION_KEYWORDS = new Set(['anyOf', 'oneOf']);

/**
 * Folds ajv's errors (collected with `allErrors` and `verbose`) into issues: paths as arrays,
 * the missing or unexpected property appended to the path, and messages in one voice
 * ("expected string, got null").
 *
 * A failed union reports every branch, which reads as noise ("expected string; expected null;
 * must match a schema in anyOf"). Branches whose type did not match are dropped when another
 * branch of the right type explains the failure; when none does, one `invalid_union` issue lists
 * the accepted types.
 */
export function ajvErrorsToIssues(errors: readonly ErrorObject[], value: unknown): Issue[] {
  const kept = simplifyUnions(errors);
  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (const error of kept) {
    const mapped = toIssue(error, value);
    const key = `${mapped.code}|${JSON.stringify(mapped.path)}|${mapped.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(mapped);
  }
  return issues;
}

type Replacement = ErrorObject & { unionTypes?: string[] };

function simplifyUnions(errors: readonly ErrorObject[]): Replacement[] {
  const result: Replacement[] = [...errors];
  // ajv pushes a union's branch errors just before the union error itself; walk backwards from
  // each union error over the errors at or below its instance path to find that block.
  for (let index = result.length - 1; index >= 0; index--) {
    const union = result[index]!;
    if (!UNION_KEYWORDS.has(union.keyword) || (union.params as { passingSchemas?: unknown }).passingSchemas != null) continue;
    let start = index;
    while (start > 0 && isAtOrBelow(result[start - 1]!.instancePath, union.instancePath)) start--;
    const block = result.slice(start, index);
    const typeMisses = block.filter((error) => error.keyword === 'type' && error.instancePath === union.instancePath);
    const explanations = block.filter((error) => !typeMisses.includes(error));
    const replacement: Replacement[] =
      explanations.length > 0
        ? explanations
        : [{ ...union, unionTypes: typeMisses.flatMap((error) => typeNames((error.params as { type?: unknown }).type)) }];
    result.splice(start, index - start + 1, ...replacement);
    index = start + replacement.length - 1;
  }
  return result;
}

function isAtOrBelow(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}/`);
}

function typeNames(type: unknown): string[] {
  if (Array.isArray(type)) return type.map(String);
  return typeof type === 'string' ? type.split(',') : [];
}

function toIssue(error: Replacement, value: unknown): Issue {
  const path = pointerToValuePath(error.instancePath, value);
  const params = error.params as Record<string, unknown>;
  const got = describe(error.data);
  switch (error.keyword) {
    case 'type':
      return { code: 'invalid_type', path, message: `expected ${typeNames(params.type).join(' or ')}, got ${jsonTypeOf(error.data)}` };
    case 'required':
      return { code: 'missing_property', path: [...path, String(params.missingProperty)], message: 'required property is missing' };
    case 'dependentRequired':
    case 'dependencies':
      return { code: 'missing_property', path: [...path, String(params.missingProperty)], message: `required when "${String(params.property)}" is present` };
    case 'additionalProperties':
      return { code: 'unrecognized_key', path: [...path, String(params.additionalProperty)], message: 'property not allowed by the schema' };
    case 'unevaluatedProperties':
      return { code: 'unrecognized_key', path: [...path, String(params.unevaluatedProperty)], message: 'property not allowed by the schema' };
    case 'enum':
      return { code: 'invalid_value', path, message: `expected one of ${listValues(params.allowedValues as unknown[])}, got ${got}` };
    case 'const':
      return { code: 'invalid_value', path, message: `expected ${JSON.stringify(params.allowedValue)}, got ${got}` };
    case 'minLength':
      return { code: 'too_small', path, message: `expected at least ${String(params.limit)} characters, got ${lengthOf(error.data)}` };
    case 'maxLength':
      return { code: 'too_big', path, message: `expected at most ${String(params.limit)} characters, got ${lengthOf(error.data)}` };
    case 'minItems':
      return { code: 'too_small', path, message: `expected at least ${String(params.limit)} items, got ${lengthOf(error.data)}` };
    case 'maxItems':
      return { code: 'too_big', path, message: `expected at most ${String(params.limit)} items, got ${lengthOf(error.data)}` };
    case 'minProperties':
      return { code: 'too_small', path, message: `expected at least ${String(params.limit)} properties` };
    case 'maxProperties':
      return { code: 'too_big', path, message: `expected at most ${String(params.limit)} properties` };
    case 'minimum':
    case 'exclusiveMinimum':
      return { code: 'too_small', path, message: `expected ${String(params.comparison)} ${String(params.limit)}, got ${got}` };
    case 'maximum':
    case 'exclusiveMaximum':
      return { code: 'too_big', path, message: `expected ${String(params.comparison)} ${String(params.limit)}, got ${got}` };
    case 'multipleOf':
      return { code: 'not_multiple_of', path, message: `expected a multiple of ${String(params.multipleOf)}, got ${got}` };
    case 'format':
      return { code: 'invalid_format', path, message: `expected ${String(params.format)} format, got ${got}` };
    case 'pattern':
      return { code: 'invalid_format', path, message: `does not match pattern ${String(params.pattern)}: ${got}` };
    case 'uniqueItems':
      return { code: 'not_unique', path, message: `items ${String(params.j)} and ${String(params.i)} are identical` };
    case 'anyOf':
    case 'oneOf': {
      const passing = params.passingSchemas as unknown;
      if (Array.isArray(passing)) return { code: 'invalid_union', path, message: `matches more than one variant (${passing.join(' and ')}) but must match exactly one` };
      const types = [...new Set(error.unionTypes ?? [])];
      return { code: 'invalid_union', path, message: types.length > 0 ? `expected ${types.join(' or ')}, got ${jsonTypeOf(error.data)}` : 'matches none of the allowed variants' };
    }
    default:
      return { code: error.keyword, path, message: error.message ?? `fails "${error.keyword}"` };
  }
}

function describe(data: unknown): string {
  const text = JSON.stringify(data);
  if (text === undefined) return jsonTypeOf(data);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function lengthOf(data: unknown): string {
  if (typeof data === 'string') return String([...data].length);
  if (Array.isArray(data)) return String(data.length);
  return jsonTypeOf(data);
}

function listValues(values: unknown[]): string {
  const shown = values.slice(0, 10).map((value) => JSON.stringify(value));
  return values.length > 10 ? `${shown.join(', ')}, … (${values.length} values)` : shown.join(', ');
}

import * as zodCore from 'zod/v4/core';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { toIssuePath, type Checked, type Issue } from '../issues.js';
import { jsonTypeOf, type JsonSchema } from './json-schema.js';

/**
 * zod schemas as output schemas. A zod v4 schema (classic or mini) carries `_zod`; a zod v3 schema
 * (from `zod/v3` or a zod@3 install) carries `_def` and a `safeParse` method but no `_zod`.
 * v4 converts with zod's own `toJSONSchema`; `zod-to-json-schema` handles v3 only, since it
 * silently returns an empty schema for v4.
 */
type ZodV3Like = {
  _def: unknown;
  safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: { issues: ZodV3Issue[] } };
};
type ZodV3Issue = { code: string; path: (string | number)[]; message: string; expected?: unknown; received?: unknown; keys?: string[] };

export function isZodV4Schema(value: unknown): value is zodCore.$ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

export function isZodV3Schema(value: unknown): value is ZodV3Like {
  return (
    typeof value === 'object' &&
    value !== null &&
    !('_zod' in value) &&
    '_def' in value &&
    typeof (value as { safeParse?: unknown }).safeParse === 'function'
  );
}

export function isZodSchema(value: unknown): boolean {
  return isZodV4Schema(value) || isZodV3Schema(value);
}

/**
 * The JSON Schema of what the MODEL must write, i.e. the parse input: a `.default()` field is
 * optional and a `.transform()` is described by its input side. `io: 'output'` would reject
 * transforms and mark defaulted fields required.
 */
export function zodToOutputJsonSchema(schema: zodCore.$ZodType | ZodV3Like): JsonSchema {
  if (isZodV4Schema(schema)) {
    return zodCore.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw', target: 'draft-2020-12' }) as JsonSchema;
  }
  return zodToJsonSchema(schema as never, { target: 'jsonSchema7', effectStrategy: 'input', pipeStrategy: 'input' }) as JsonSchema;
}

export function validateWithZod(schema: zodCore.$ZodType | ZodV3Like, value: unknown): Checked<unknown> {
  if (isZodV4Schema(schema)) {
    const result = zodCore.safeParse(schema, value, { reportInput: true });
    if (result.success) return { ok: true, value: result.data };
    return { ok: false, issues: result.error.issues.flatMap(fromZodV4Issue) };
  }
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: result.error.issues.flatMap(fromZodV3Issue) };
}

function fromZodV4Issue(issue: zodCore.$ZodIssue): Issue[] {
  const path = toIssuePath(issue.path);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return [{ code: 'missing_property', path, message: `required property is missing (expected ${issue.expected})` }];
      return [{ code: 'invalid_type', path, message: `expected ${issue.expected}, got ${jsonTypeOf(issue.input)}` }];
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ code: 'unrecognized_key', path: [...path, key], message: 'property not allowed by the schema' }));
    case 'invalid_union':
      return [{ code: 'invalid_union', path, message: unionMessage(issue) }];
    default:
      return [{ code: issue.code, path, message: issue.message }];
  }
}

/** When every branch failed on type alone, name the accepted types, as ajv-issues does. */
function unionMessage(issue: zodCore.$ZodIssueInvalidUnion): string {
  const expected = issue.errors.flatMap((branch) =>
    branch.length === 1 && branch[0]?.code === 'invalid_type' && branch[0].path.length === 0 ? [branch[0].expected] : [],
  );
  if (expected.length === issue.errors.length && expected.length > 0) {
    return `expected ${[...new Set(expected)].join(' or ')}, got ${jsonTypeOf(issue.input)}`;
  }
  return issue.message;
}

function fromZodV3Issue(issue: ZodV3Issue): Issue[] {
  const path = issue.path;
  switch (issue.code) {
    case 'invalid_type':
      if (issue.received === 'undefined') return [{ code: 'missing_property', path, message: `required property is missing (expected ${String(issue.expected)})` }];
      return [{ code: 'invalid_type', path, message: `expected ${String(issue.expected)}, got ${String(issue.received)}` }];
    case 'unrecognized_keys':
      return (issue.keys ?? []).map((key) => ({ code: 'unrecognized_key', path: [...path, key], message: 'property not allowed by the schema' }));
    case 'invalid_string':
      return [{ code: 'invalid_format', path, message: issue.message }];
    case 'invalid_enum_value':
    case 'invalid_literal':
      return [{ code: 'invalid_value', path, message: issue.message }];
    default:
      return [{ code: issue.code, path, message: issue.message }];
  }
}

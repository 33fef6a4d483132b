import { isCanonicalJson } from './canonical-json.js';
import { extractJson } from './extract-json.js';
import { formatIssues, type Issue } from '../issues.js';
import { jsonTypeOf, isJsonSchemaObject } from './json-schema.js';
import type { OutputSchema } from './output-schema.js';

export type ParsedOutput =
  | { ok: true; value: Record<string, unknown>; json?: string }
  | { ok: false; reason: 'not_json' | 'schema_violation'; message: string; issues?: Issue[] };

export interface ParseOutputOptions {
  /**
   * Undoes what the provider's structured-output form did to the answer before the user's schema
   * checks it (a provider's `normalizeAnswer`: OpenAI strict mode sends null for left-out fields).
   */
  normalize?: (value: Record<string, unknown>) => unknown;
  /**
   * Also give `json`, `JSON.stringify(value)`, where the reply already holds it verbatim (a compact
   * answer): the caller keeps that text instead of serialising the value again.
   */
  withJson?: boolean;
}

/**
 * The one check of a model's answer, used by the engine for every result: extracts the JSON in the
 * text, then checks it. A reply that is JSON but not an object is a schema violation.
 */
export function parseModelOutput(text: string, schema: OutputSchema, options: ParseOutputOptions = {}): ParsedOutput {
  const extracted = extractJson(text, { preferObject: true, withSource: options.withJson === true });
  if (!extracted.ok) return { ok: false, reason: 'not_json', message: extracted.message };
  const checked = checkModelValue(extracted.value, schema, options);
  if (!checked.ok || extracted.source === undefined || !keptAsParsed(checked.value, extracted.value, schema)) return checked;
  return isCanonicalJson(extracted.source, checked.value) ? { ok: true, value: checked.value, json: extracted.source } : checked;
}

/**
 * Whether the checked value is the very object JSON.parse built, untouched: ajv neither coerces types
 * nor removes properties (ajv-instances.ts), and fills defaults into a copy; a provider's normalize
 * builds a new object where it removes something. zod always builds a new object, and a transform
 * could change one in place, so its answers are serialised as before.
 */
function keptAsParsed(checked: unknown, parsed: unknown, schema: OutputSchema): boolean {
  return schema.source === 'json-schema' && checked === parsed;
}

/** The same check for a value that arrived already parsed (an Anthropic `tool_use` block's `input`). */
export function checkModelValue(value: unknown, schema: OutputSchema, options: ParseOutputOptions = {}): ParsedOutput {
  if (!isJsonSchemaObject(value)) {
    const issues: Issue[] = [{ code: 'invalid_type', path: [], message: `expected object, got ${jsonTypeOf(value)}` }];
    return { ok: false, reason: 'schema_violation', message: formatIssues(issues), issues };
  }
  const candidate = options.normalize ? options.normalize(value) : value;
  const checked = schema.validate(candidate);
  if (!checked.ok) return { ok: false, reason: 'schema_violation', message: formatIssues(checked.issues), issues: checked.issues };
  if (!isJsonSchemaObject(checked.value)) {
    // A zod transform may turn the object into something else; a step needs fields to merge.
    const issues: Issue[] = [{ code: 'invalid_type', path: [], message: `the schema produced ${jsonTypeOf(checked.value)}, not an object` }];
    return { ok: false, reason: 'schema_violation', message: formatIssues(issues), issues };
  }
  return { ok: true, value: checked.value };
}

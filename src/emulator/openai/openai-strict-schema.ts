/**
 * The checks OpenAI applies to a `strict: true` json_schema before running a request. A schema
 * that breaks them gets a 400 per line, worded like the real API, so an adapter that forgets
 * `additionalProperties: false` or an optional field's null union finds out here rather than in production.
 */
import { isObjectSchema, isSchemaNode, walkSchema } from '../core/schema-data.js';

const SUPPORTED_FORMATS = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid']);
const UNSUPPORTED_KEYWORDS = [
  'allOf', 'not', 'if', 'then', 'else', 'dependentRequired', 'dependentSchemas', 'patternProperties',
  'unevaluatedProperties', 'propertyNames', 'minProperties', 'maxProperties', 'unevaluatedItems', 'contains',
  'minContains', 'maxContains', 'uniqueItems', 'oneOf',
];
const MAX_NESTING = 10;
const MAX_PROPERTIES = 5_000;

const checked = new Map<string, string | null>();
const CHECK_CACHE_SIZE = 200;

/** The first strict-mode violation as the API would word it, or null when the schema is acceptable. */
export function findStrictSchemaProblem(name: string, schema: unknown, where: 'response_format' | 'function' = 'response_format'): string | null {
  const key = `${where}\u0000${name}\u0000${JSON.stringify(schema)}`;
  const cached = checked.get(key);
  if (cached !== undefined) return cached;
  const problem = checkStrictSchema(`Invalid schema for ${where} '${name}'`, schema);
  if (checked.size >= CHECK_CACHE_SIZE) checked.delete(checked.keys().next().value as string);
  checked.set(key, problem);
  return problem;
}

function checkStrictSchema(prefix: string, schema: unknown): string | null {
  if (!isSchemaNode(schema)) return `${prefix}: schema must be a JSON Schema object.`;
  if (schema.type !== 'object' || 'anyOf' in schema) {
    return `${prefix}: schema must be a JSON Schema of 'type: "object"', got 'type: "${String(schema.type)}"'.`;
  }
  let problem: string | null = null;
  let properties = 0;
  walkSchema(schema, (node, path) => {
    if (problem) return;
    const context = `In context=(${path.split('/').slice(1).map((part) => `'${part}'`).join(', ')})`;
    if (path.split('/properties/').length - 1 > MAX_NESTING) {
      problem = `${prefix}: ${context}, schema exceeds the maximum nesting depth of ${MAX_NESTING}.`;
      return;
    }
    const unsupported = UNSUPPORTED_KEYWORDS.find((keyword) => keyword in node);
    if (unsupported) {
      problem = `${prefix}: ${context}, '${unsupported}' is not permitted.`;
      return;
    }
    if (typeof node.format === 'string' && !SUPPORTED_FORMATS.has(node.format)) {
      problem = `${prefix}: ${context}, '${node.format}' is not a valid format.`;
      return;
    }
    const isArray = node.type === 'array' || (Array.isArray(node.type) && node.type.includes('array'));
    if (isArray && !('items' in node)) {
      problem = `${prefix}: ${context}, array schema missing items.`;
      return;
    }
    if (!isObjectSchema(node)) return;
    if (!isSchemaNode(node.properties)) {
      problem = `${prefix}: ${context}, object schema missing properties.`;
      return;
    }
    if (node.additionalProperties !== false) {
      problem = `${prefix}: ${context}, 'additionalProperties' is required to be supplied and to be false.`;
      return;
    }
    const keys = Object.keys(node.properties);
    properties += keys.length;
    const required = Array.isArray(node.required) ? node.required : [];
    const missing = keys.find((key) => !required.includes(key));
    if (missing !== undefined) {
      problem = `${prefix}: ${context}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`;
    }
  });
  if (!problem && properties > MAX_PROPERTIES) {
    problem = `${prefix}: schema has ${properties} object properties; the limit is ${MAX_PROPERTIES}.`;
  }
  return problem;
}

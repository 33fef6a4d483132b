/**
 * The schema subset Anthropic enforces for JSON outputs and strict tools. A schema outside it
 * makes that request come back `errored` with invalid_request_error, as the API's 400 would; the SDK's own
 * transform (which moves such constraints into descriptions) produces schemas that pass.
 */
import { isObjectSchema, isSchemaNode, walkSchema, type SchemaNode } from '../core/schema-data.js';

const SUPPORTED_FORMATS = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'uri', 'ipv4', 'ipv6', 'uuid']);
const UNSUPPORTED_KEYWORDS = [
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength',
  'maxItems', 'uniqueItems', 'contains', 'minContains', 'maxContains', 'prefixItems', 'minProperties', 'maxProperties',
  'patternProperties', 'propertyNames', 'not', 'if', 'then', 'else',
];
const MAX_OPTIONAL_PARAMETERS = 24;
const MAX_UNION_PARAMETERS = 16;

function definitionName(ref: string): string | null {
  const match = /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(ref);
  return match?.[1] ?? null;
}

function findRecursion(schema: SchemaNode): string | null {
  const definitions: Record<string, unknown> = { ...(isSchemaNode(schema.definitions) ? schema.definitions : {}), ...(isSchemaNode(schema.$defs) ? schema.$defs : {}) };
  const refsOf = (node: unknown): string[] => {
    const refs: string[] = [];
    walkSchema(node, (child) => {
      if (typeof child.$ref === 'string') refs.push(child.$ref);
    });
    return refs;
  };
  if (refsOf({ ...schema, $defs: undefined, definitions: undefined }).includes('#')) return '#';
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (name: string): string | null => {
    if (visiting.has(name)) return name;
    if (done.has(name)) return null;
    visiting.add(name);
    for (const ref of refsOf(definitions[name])) {
      if (ref === '#') return name;
      const target = definitionName(ref);
      const cycle = target === null ? null : visit(target);
      if (cycle) return cycle;
    }
    visiting.delete(name);
    done.add(name);
    return null;
  };
  for (const name of Object.keys(definitions)) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return null;
}

const checked = new Map<string, string | null>();
const CHECK_CACHE_SIZE = 200;

/** The first problem with `schema` for Anthropic structured output, prefixed with `where`, or null. */
export function findAnthropicSchemaProblem(where: string, schema: unknown): string | null {
  const key = `${where}\u0000${JSON.stringify(schema)}`;
  const cached = checked.get(key);
  if (cached !== undefined) return cached;
  const problem = checkSchema(where, schema);
  if (checked.size >= CHECK_CACHE_SIZE) checked.delete(checked.keys().next().value as string);
  checked.set(key, problem);
  return problem;
}

function checkSchema(where: string, schema: unknown): string | null {
  if (!isSchemaNode(schema)) return `${where}: schema must be a JSON object.`;
  let problem: string | null = null;
  let optional = 0;
  let unions = 0;
  walkSchema(schema, (node, path) => {
    if (problem) return;
    const at = `${where} at ${path}`;
    if (typeof node.$ref === 'string' && !node.$ref.startsWith('#')) {
      problem = `${at}: external $ref '${node.$ref}' is not supported.`;
      return;
    }
    const unsupported = UNSUPPORTED_KEYWORDS.find((keyword) => keyword in node);
    if (unsupported) {
      problem = `${at}: '${unsupported}' is not supported.`;
      return;
    }
    if (typeof node.minItems === 'number' && node.minItems !== 0 && node.minItems !== 1) {
      problem = `${at}: 'minItems' values other than 0 and 1 are not supported.`;
      return;
    }
    if (typeof node.format === 'string' && !SUPPORTED_FORMATS.has(node.format)) {
      problem = `${at}: format '${node.format}' is not supported.`;
      return;
    }
    if (Array.isArray(node.enum) && node.enum.some((value) => typeof value === 'object' && value !== null)) {
      problem = `${at}: enum values must be primitives.`;
      return;
    }
    if ((Array.isArray(node.type) && node.type.length > 1) || Array.isArray(node.anyOf)) unions++;
    if (!isObjectSchema(node)) return;
    if (node.additionalProperties !== false) {
      problem = `${at}: 'additionalProperties' must be set to false for object types.`;
      return;
    }
    const required = Array.isArray(node.required) ? node.required : [];
    optional += Object.keys(isSchemaNode(node.properties) ? node.properties : {}).filter((key) => !required.includes(key)).length;
  });
  if (problem) return problem;
  const cycle = findRecursion(schema);
  if (cycle) return `${where}: recursive schemas are not supported (cycle through '${cycle}').`;
  if (optional > MAX_OPTIONAL_PARAMETERS) return `${where}: too many optional parameters (${optional} > ${MAX_OPTIONAL_PARAMETERS}).`;
  if (unions > MAX_UNION_PARAMETERS) return `${where}: too many parameters with union types (${unions} > ${MAX_UNION_PARAMETERS}).`;
  return null;
}

import { SchemaDefinitionError } from '../../schema/errors.js';
import { isJsonSchemaObject, type JsonSchema } from '../../schema/json-schema.js';
import type { SchemaGrammar, ProviderSchema } from '../../schema/schema-grammar.js';
import { forEachSubschema } from '../../schema/schema-keywords.js';
import { toProviderSchema } from '../../schema/to-provider-schema.js';


/**
 * OpenAI structured outputs, strict mode: `response_format: {type: 'json_schema',
 * json_schema: {name, strict: true, schema}}`. The grammar takes string `pattern` and a fixed set of
 * formats, numeric bounds and `multipleOf`, array `minItems`/`maxItems`, `enum`, `anyOf`,
 * `$ref`/`$defs` and recursion; every object closed and fully required.
 */
export const OPENAI_STRICT_FORMATS: ReadonlySet<string> = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid']);

export const OPENAI_STRICT_PROFILE: SchemaGrammar = {
  label: 'OpenAI strict mode',
  requireAllProperties: true,
  allowRecursion: true,
  constAsEnum: true,
  keptKeywords: new Set(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minItems', 'maxItems']),
  formats: OPENAI_STRICT_FORMATS,
  minItemsAtMostOne: false,
  acceptsPattern: () => true,
};

/** Size limits from OpenAI's structured-outputs guide. */
export const OPENAI_STRICT_LIMITS = {
  maxObjectProperties: 5000,
  maxNestingDepth: 10,
  maxEnumValues: 1000,
  maxNameAndLiteralChars: 120_000,
  largeStringEnum: 250,
  maxLargeStringEnumChars: 15_000,
} as const;

/**
 * The schema to send under strict mode, and the keywords left to our own validation. Throws
 * SchemaDefinitionError when the root is not an object, an `allOf` cannot be merged, or a size
 * limit is exceeded.
 */
export function toOpenAIStrictSchema(schema: JsonSchema): ProviderSchema {
  const result = toProviderSchema(schema, OPENAI_STRICT_PROFILE);
  checkOpenAILimits(result.schema);
  return result;
}

export function toOpenAIResponseFormat(output: { name: string; jsonSchema: JsonSchema }): {
  type: 'json_schema';
  json_schema: { name: string; strict: true; schema: JsonSchema };
} {
  return { type: 'json_schema', json_schema: { name: output.name, strict: true, schema: toOpenAIStrictSchema(output.jsonSchema).schema } };
}

function checkOpenAILimits(schema: JsonSchema): void {
  let properties = 0;
  let enumValues = 0;
  let chars = 0;
  const problems: string[] = [];
  const definitions = isJsonSchemaObject(schema.$defs) ? schema.$defs : {};
  chars += Object.keys(definitions).join('').length;
  const walk = (node: unknown): void => {
    if (!isJsonSchemaObject(node)) return;
    if (isJsonSchemaObject(node.properties)) {
      const names = Object.keys(node.properties);
      properties += names.length;
      chars += names.join('').length;
    }
    for (const literals of [node.enum, 'const' in node ? [node.const] : undefined]) {
      if (!Array.isArray(literals)) continue;
      enumValues += literals === node.enum ? literals.length : 0;
      const text = literals.filter((value) => typeof value === 'string').join('');
      chars += text.length;
      if (literals === node.enum && literals.length > OPENAI_STRICT_LIMITS.largeStringEnum && text.length > OPENAI_STRICT_LIMITS.maxLargeStringEnumChars) {
        problems.push(`an enum of ${literals.length} strings totals ${text.length} characters (limit ${OPENAI_STRICT_LIMITS.maxLargeStringEnumChars} above ${OPENAI_STRICT_LIMITS.largeStringEnum} values)`);
      }
    }
    forEachSubschema(node, [], (child, _path, keyword) => {
      if (keyword !== '$defs') walk(child);
    });
  };
  walk(schema);
  for (const definition of Object.values(definitions)) walk(definition);
  const depth = nestingDepth(schema, definitions, new Set());
  if (properties > OPENAI_STRICT_LIMITS.maxObjectProperties) problems.push(`${properties} object properties in total (limit ${OPENAI_STRICT_LIMITS.maxObjectProperties})`);
  if (depth > OPENAI_STRICT_LIMITS.maxNestingDepth) problems.push(`objects nest ${depth} levels deep (limit ${OPENAI_STRICT_LIMITS.maxNestingDepth})`);
  if (enumValues > OPENAI_STRICT_LIMITS.maxEnumValues) problems.push(`${enumValues} enum values in total (limit ${OPENAI_STRICT_LIMITS.maxEnumValues})`);
  if (chars > OPENAI_STRICT_LIMITS.maxNameAndLiteralChars) problems.push(`property names, definition names and enum values total ${chars} characters (limit ${OPENAI_STRICT_LIMITS.maxNameAndLiteralChars})`);
  if (problems.length > 0) {
    throw new SchemaDefinitionError(
      undefined,
      problems.map((message) => ({ code: 'openai_limit', path: [], message })),
      { provider: OPENAI_STRICT_PROFILE.label },
    );
  }
}

/** Levels of object nesting, following references but not around a cycle (recursion is allowed and unbounded). */
function nestingDepth(node: unknown, definitions: JsonSchema, onPath: Set<string>): number {
  if (!isJsonSchemaObject(node)) return 0;
  let deepest = 0;
  if (typeof node.$ref === 'string' && node.$ref.startsWith('#/$defs/') && !onPath.has(node.$ref)) {
    const name = decodeURIComponent(node.$ref.slice('#/$defs/'.length));
    deepest = nestingDepth(definitions[name], definitions, new Set([...onPath, node.$ref]));
  }
  forEachSubschema(node, [], (child, _path, keyword) => {
    if (keyword !== '$defs') deepest = Math.max(deepest, nestingDepth(child, definitions, onPath));
  });
  const isObject = node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object'));
  return deepest + (isObject ? 1 : 0);
}

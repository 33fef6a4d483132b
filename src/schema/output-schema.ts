import { SchemaDefinitionError } from './errors.js';
import { resolveLocalRef } from './json-pointer.js';
import { compileJsonOutputSchema, type OutputSchema } from './json-output-schema.js';
import { isJsonSchemaObject, type JsonSchema } from './json-schema.js';
import { isZodSchema, isZodV3Schema, isZodV4Schema, validateWithZod, zodToOutputJsonSchema } from './zod-schema.js';

export { isZodSchema };
export type { OutputSchema };

const SCHEMA_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Accepts a zod v4 schema, a zod v3 schema or a JSON Schema object. Throws SchemaDefinitionError
 * listing every problem with its path inside the schema when the schema cannot be used.
 */
export function compileOutputSchema(name: string, schema: unknown): OutputSchema {
  if (!SCHEMA_NAME.test(name)) {
    throw new SchemaDefinitionError(name, [
      { code: 'invalid_name', path: [], message: `schema name ${JSON.stringify(name)} must match [a-zA-Z0-9_-]{1,64}; clean it with toSchemaName()` },
    ]);
  }
  if (isZodV4Schema(schema) || isZodV3Schema(schema)) return compileZodSchema(name, schema);
  return compileJsonOutputSchema(name, schema);
}

function compileZodSchema(name: string, schema: Parameters<typeof validateWithZod>[0]): OutputSchema {
  let jsonSchema: JsonSchema;
  try {
    jsonSchema = zodToOutputJsonSchema(schema);
  } catch (error) {
    throw new SchemaDefinitionError(name, [
      { code: 'zod_unrepresentable', path: [], message: `this zod schema has no JSON Schema form: ${(error as Error).message}` },
    ]);
  }
  if (!rootIsObject(jsonSchema)) {
    throw new SchemaDefinitionError(name, [
      { code: 'root_not_object', path: [], message: 'the root of an output schema must be a z.object(...) (its properties become record fields)' },
    ]);
  }
  return { name, jsonSchema, source: 'zod', validate: (value) => validateWithZod(schema, value) };
}

function rootIsObject(schema: JsonSchema): boolean {
  const root = followRootRef(schema);
  return root !== undefined && root.type === 'object';
}

function followRootRef(schema: JsonSchema): JsonSchema | undefined {
  let node: JsonSchema | boolean | undefined = schema;
  for (let hops = 0; hops < 10 && isJsonSchemaObject(node) && typeof node.$ref === 'string'; hops++) {
    node = resolveLocalRef(schema, node.$ref);
  }
  return isJsonSchemaObject(node) ? node : undefined;
}

/**
 * Top-level property names: the fields a generate step adds to the record, used to check the
 * template variables of later steps. Includes the properties of root `allOf`/`anyOf`/`oneOf` branches.
 */
export function schemaFieldNames(schema: JsonSchema): string[] {
  const names = new Set<string>();
  const visit = (node: JsonSchema | boolean | undefined, depth: number): void => {
    if (!isJsonSchemaObject(node) || depth > 10) return;
    if (typeof node.$ref === 'string') visit(resolveLocalRef(schema, node.$ref), depth + 1);
    if (isJsonSchemaObject(node.properties)) for (const key of Object.keys(node.properties)) names.add(key);
    for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
      const branches = node[keyword];
      if (Array.isArray(branches)) for (const branch of branches) visit(branch as JsonSchema, depth + 1);
    }
  };
  visit(schema, 0);
  return [...names];
}

/** A step name cleaned to the `[a-zA-Z0-9_-]{1,64}` every provider accepts as a schema or tool name. */
export function toSchemaName(stepName: string): string {
  const cleaned = stepName.replace(/[^a-zA-Z0-9_-]+/g, '_').slice(0, 64);
  return cleaned === '' || /^_+$/.test(cleaned) ? 'output' : cleaned;
}

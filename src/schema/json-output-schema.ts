/**
 * A JSON Schema output schema compiled to its validator, without zod: what output-schema.ts does for
 * a JSON Schema, and all a collect thread (collect-worker.ts) needs, so a thread's start loads
 * neither zod's converter nor zod-to-json-schema.
 */
import type { ValidateFunction } from 'ajv';
import { ajvErrorsToIssues } from './ajv-issues.js';
import { compileWithAjv, draftOf, type SchemaDraft } from './ajv-instances.js';
import { checkJsonSchemaDefinition } from './check-json-schema.js';
import { SchemaDefinitionError } from './errors.js';
import type { Checked } from '../issues.js';
import { cloneJson, isJsonSchemaObject, type JsonSchema } from './json-schema.js';
import { forEachSubschema } from './schema-keywords.js';

/** A step's output schema, compiled once: the JSON Schema the providers receive and the validator for answers. */
export interface OutputSchema {
  /** `[a-zA-Z0-9_-]{1,64}`, as every provider requires. */
  name: string;
  /** The full schema (a zod schema converted with `z.toJSONSchema`, input side). */
  jsonSchema: JsonSchema;
  source: 'zod' | 'json-schema';
  /**
   * zod: `safeParse`, so `value` is the parsed output with transforms and defaults applied.
   * JSON Schema: ajv with every error collected; `default`s are filled into a copy of the value.
   */
  validate(value: unknown): Checked<unknown>;
}

/**
 * `checked`: the schema is one `compileOutputSchema` accepted already (another thread's), so its
 * definition is not checked again, nor against its draft's meta-schema: compiling that meta-schema
 * is most of a thread's start, and the validator compiled is the same.
 */
export function compileJsonOutputSchema(name: string, schema: unknown, options: { checked?: boolean } = {}): OutputSchema {
  const draft = options.checked ? checkedDraft(name, schema) : definitionDraft(name, schema);
  // Our own copy: a later edit of the caller's object must not change what we validate or send.
  const jsonSchema = cloneJson(schema as JsonSchema);
  let validateFunction: ValidateFunction;
  try {
    validateFunction = compileWithAjv(jsonSchema, draft, { trusted: options.checked === true });
  } catch (error) {
    throw new SchemaDefinitionError(name, [{ code: 'schema_invalid', path: [], message: (error as Error).message }]);
  }
  // ajv fills defaults in place; copy the answer first so the caller's value is never changed.
  const fillsDefaults = hasKeyword(jsonSchema, 'default');
  const validate = (value: unknown): Checked<unknown> => {
    const data = fillsDefaults ? structuredClone(value) : value;
    if (validateFunction(data)) return { ok: true, value: data };
    return { ok: false, issues: ajvErrorsToIssues(validateFunction.errors ?? [], data) };
  };
  return { name, jsonSchema, source: 'json-schema', validate };
}

function definitionDraft(name: string, schema: unknown): SchemaDraft {
  const { draft, issues } = checkJsonSchemaDefinition(schema);
  if (issues.length > 0) throw new SchemaDefinitionError(name, issues);
  return draft;
}

function checkedDraft(name: string, schema: unknown): SchemaDraft {
  const draft = isJsonSchemaObject(schema) ? draftOf(schema.$schema) : undefined;
  if (draft === undefined) throw new SchemaDefinitionError(name, [{ code: 'schema_invalid', path: [], message: 'not a JSON Schema of a supported draft' }]);
  return draft;
}

function hasKeyword(schema: unknown, keyword: string): boolean {
  if (!isJsonSchemaObject(schema)) return false;
  if (keyword in schema) return true;
  let found = false;
  forEachSubschema(schema, [], (child) => {
    found ||= hasKeyword(child, keyword);
  });
  return found;
}

import { describe, expect, it } from 'vitest';
import { SchemaDefinitionError } from '../../src/schema/errors.js';
import type { JsonSchema } from '../../src/schema/json-schema.js';
import { toOpenAIResponseFormat, toOpenAIStrictSchema } from '../../src/providers/openai/openai-output-schema.js';
import { openAIStrictViolations } from '../schema/provider-schema-rules.js';

function conversionError(schema: JsonSchema): SchemaDefinitionError {
  try {
    toOpenAIStrictSchema(schema);
  } catch (error) {
    if (error instanceof SchemaDefinitionError) return error;
    throw error;
  }
  throw new Error('expected toOpenAIStrictSchema to throw');
}

function properties(schema: JsonSchema): Record<string, JsonSchema> {
  return schema.properties as Record<string, JsonSchema>;
}

/** Uses most of JSON Schema at once; the converted form must satisfy every strict-mode rule. */
const KITCHEN_SINK: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://example.com/sink',
  title: 'Sink',
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 50, examples: ['x'] },
    site: { type: 'string', format: 'uri' },
    at: { type: 'string', format: 'date-time' },
    tags: { type: 'array', items: { type: 'string' }, uniqueItems: true, contains: { const: 'a' }, minItems: 1, maxItems: 5 },
    meta: { type: 'object', patternProperties: { '^x': { type: 'string' } }, propertyNames: { maxLength: 5 }, minProperties: 1 },
    free: {},
    bag: { type: 'object', additionalProperties: { type: 'number' } },
    list: { type: 'array' },
    choice: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
    mixed: { type: ['string', 'number', 'null'], minLength: 2, maximum: 9 },
    pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], items: false },
    cond: { type: 'object', properties: { a: { type: 'string' } }, if: { required: ['a'] }, then: { required: ['a'] }, not: { required: ['z'] } },
    lang: { type: 'string', default: 'en' },
    ref: { $ref: '#/$defs/item' },
    refWithSiblings: { $ref: '#/$defs/item', description: 'main item', required: ['id'] },
    merged: { allOf: [{ $ref: '#/$defs/item' }, { properties: { extra: { type: 'boolean' } } }] },
    kind: { const: 'k' },
    big: { enum: [{ a: 1 }, { b: 2 }] },
  },
  required: ['name'],
  $defs: { item: { type: 'object', properties: { id: { type: 'integer', multipleOf: 2 }, child: { $ref: '#/$defs/item' } } } },
};

describe('toOpenAIStrictSchema', () => {
  it('produces a schema that meets every strict-mode rule', () => {
    const { schema } = toOpenAIStrictSchema(KITCHEN_SINK);
    expect(openAIStrictViolations(schema)).toEqual([]);
  });

  it('does not modify the input', () => {
    const copy = structuredClone(KITCHEN_SINK);
    toOpenAIStrictSchema(KITCHEN_SINK);
    expect(KITCHEN_SINK).toEqual(copy);
  });

  it('reports each removed keyword where the original has it', () => {
    const { localOnly } = toOpenAIStrictSchema(KITCHEN_SINK);
    expect(localOnly).toEqual(
      expect.arrayContaining([
        { path: '#/properties/name', keyword: 'minLength' },
        { path: '#/properties/name', keyword: 'maxLength' },
        { path: '#/properties/site', keyword: 'format' },
        { path: '#/properties/tags', keyword: 'uniqueItems' },
        { path: '#/properties/tags', keyword: 'contains' },
        { path: '#/properties/meta', keyword: 'patternProperties' },
        { path: '#/properties/meta', keyword: 'propertyNames' },
        { path: '#/properties/meta', keyword: 'minProperties' },
        { path: '#/properties/choice', keyword: 'oneOf' },
        { path: '#/properties/mixed', keyword: 'minLength' },
        { path: '#/properties/pair', keyword: 'prefixItems' },
        { path: '#/properties/cond', keyword: 'if' },
        { path: '#/properties/cond', keyword: 'then' },
        { path: '#/properties/cond', keyword: 'not' },
        { path: '#/properties/lang', keyword: 'default' },
        { path: '#/properties/big', keyword: 'enum' },
      ]),
    );
    // Kept: formats on the list, numeric bounds, multipleOf, minItems/maxItems, pattern.
    const keywords = localOnly.map((entry) => entry.keyword);
    for (const kept of ['maximum', 'multipleOf', 'minItems', 'maxItems']) expect(keywords).not.toContain(kept);
    expect(properties(toOpenAIStrictSchema(KITCHEN_SINK).schema).at).toEqual({ type: ['string', 'null'], format: 'date-time' });
  });

  it('tells the model about removed constraints in the description', () => {
    const name = properties(toOpenAIStrictSchema(KITCHEN_SINK).schema).name!;
    expect(name).toEqual({ type: 'string', description: '{minLength: 1, maxLength: 50}' });
  });

  it('closes every object and requires every property, making optional ones nullable', () => {
    const { schema } = toOpenAIStrictSchema({
      type: 'object',
      properties: {
        text: { type: 'string' },
        count: { type: 'integer' },
        level: { type: 'string', enum: ['a', 'b'] },
        point: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] },
        items: { type: 'array', items: { type: 'string' } },
        ref: { $ref: '#/$defs/p' },
        maybe: { type: ['string', 'null'] },
        either: { anyOf: [{ type: 'string' }, { type: 'number' }] },
      },
      required: ['text'],
      $defs: { p: { type: 'object', properties: { q: { type: 'string' } } } },
    });
    expect(schema.required).toEqual(['text', 'count', 'level', 'point', 'items', 'ref', 'maybe', 'either']);
    expect(schema.additionalProperties).toBe(false);
    const converted = properties(schema);
    expect(converted.text).toEqual({ type: 'string' });
    expect(converted.count).toEqual({ type: ['integer', 'null'] });
    expect(converted.level).toEqual({ anyOf: [{ type: 'string', enum: ['a', 'b'] }, { type: 'null' }] });
    expect(converted.point).toEqual({
      anyOf: [{ type: 'object', properties: { x: { type: 'number' } }, required: ['x'], additionalProperties: false }, { type: 'null' }],
    });
    expect(converted.items).toEqual({ anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }] });
    expect(converted.ref).toEqual({ anyOf: [{ $ref: '#/$defs/p' }, { type: 'null' }] });
    expect(converted.maybe).toEqual({ type: ['string', 'null'] });
    expect(converted.either).toEqual({ anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'null' }] });
    expect((schema.$defs as Record<string, JsonSchema>).p).toEqual({
      type: 'object',
      properties: { q: { type: ['string', 'null'] } },
      required: ['q'],
      additionalProperties: false,
    });
  });

  it('gives arrays without items and objects without properties what strict mode needs, and notes the narrowing', () => {
    const { schema, narrowed } = toOpenAIStrictSchema(KITCHEN_SINK);
    const converted = properties(schema);
    expect(converted.list).toEqual({
      anyOf: [{ type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }] } }, { type: 'null' }],
    });
    expect(narrowed.map((entry) => `${entry.path} ${entry.keyword}`)).toEqual(
      expect.arrayContaining(['#/properties/free type', '#/properties/bag additionalProperties', '#/properties/list/items type', '#/properties/meta properties']),
    );
  });

  it('keeps $defs and $ref, renames draft-07 definitions and hoists refs into other places', () => {
    const { schema } = toOpenAIStrictSchema({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { a: { $ref: '#/definitions/money' }, b: { type: 'object', properties: { c: { type: 'string' } }, required: ['c'] }, d: { $ref: '#/properties/b' } },
      required: ['a', 'b', 'd'],
      definitions: { money: { type: 'number' } },
    });
    expect(openAIStrictViolations(schema)).toEqual([]);
    expect(properties(schema).a).toEqual({ $ref: '#/$defs/money' });
    expect(properties(schema).d).toEqual({ $ref: '#/$defs/properties_b' });
    expect(Object.keys(schema.$defs as object)).toEqual(['money', 'properties_b']);
    expect(schema).not.toHaveProperty('definitions');
    expect(schema).not.toHaveProperty('$schema');
  });

  it('keeps root recursion', () => {
    const { schema } = toOpenAIStrictSchema({ type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#' } } }, required: ['name', 'children'] });
    expect(properties(schema).children).toEqual({ type: 'array', items: { $ref: '#' } });
  });

  it('inlines a $ref that has constraining siblings, and merges allOf', () => {
    const converted = properties(toOpenAIStrictSchema(KITCHEN_SINK).schema);
    const refWithSiblings = converted.refWithSiblings!;
    expect(refWithSiblings).toMatchObject({ anyOf: [{ type: 'object', required: ['id', 'child'] }, { type: 'null' }] });
    const merged = (converted.merged!.anyOf as JsonSchema[])[0]!;
    expect(Object.keys(merged.properties as object)).toEqual(['id', 'child', 'extra']);
    expect(merged.additionalProperties).toBe(false);
  });

  it('pushes the siblings of an anyOf into its branches', () => {
    const { schema, localOnly } = toOpenAIStrictSchema({
      type: 'object',
      properties: {
        contact: {
          type: 'object',
          properties: { email: { type: 'string' }, phone: { type: 'string' } },
          anyOf: [{ required: ['email'] }, { required: ['phone'] }],
        },
      },
      required: ['contact'],
    });
    expect(localOnly).toEqual([]);
    expect(openAIStrictViolations(schema)).toEqual([]);
    const branches = properties(schema).contact!.anyOf as JsonSchema[];
    expect(properties(branches[0]!)).toEqual({ email: { type: 'string' }, phone: { type: ['string', 'null'] } });
    expect(properties(branches[1]!)).toEqual({ email: { type: ['string', 'null'] }, phone: { type: 'string' } });
  });

  it('leaves a root union of required-combinations to local validation', () => {
    const { schema, localOnly } = toOpenAIStrictSchema({
      type: 'object',
      properties: { email: { type: 'string' }, phone: { type: 'string' } },
      anyOf: [{ required: ['email'] }, { required: ['phone'] }],
    });
    expect(schema).not.toHaveProperty('anyOf');
    expect(localOnly).toEqual([{ path: '#', keyword: 'anyOf' }]);
  });

  it('refuses a root that is not an object', () => {
    const error = conversionError({ type: 'array', items: { type: 'string' } });
    expect(error.code).toBe('schema_invalid');
    expect(error.issues[0]).toMatchObject({ code: 'root_not_object', path: [] });
    expect(error.message).toContain("a step schema's root must be an object");
    expect(conversionError({ anyOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { type: 'object', properties: { b: { type: 'string' } } }] }).issues[0]?.code).toMatch(/root_/);
  });

  it('refuses an allOf it cannot merge, naming where', () => {
    const error = conversionError({ type: 'object', properties: { v: { allOf: [{ type: 'string', pattern: '^a' }, { type: 'string', pattern: 'b$' }] } } });
    expect(error.issues[0]).toMatchObject({ code: 'all_of_unmergeable', path: ['properties', 'v'] });
    const closed = conversionError({ type: 'object', allOf: [{ properties: { a: { type: 'string' } }, additionalProperties: false }, { properties: { b: { type: 'string' } } }] });
    expect(closed.issues[0]?.message).toContain('forbids "b"');
  });

  it('stops with an error on reference cycles through allOf, anyOf and $ref siblings', () => {
    const cycles: JsonSchema[] = [
      { type: 'object', properties: { a: { $ref: '#/$defs/A' } }, $defs: { A: { type: 'object', properties: { x: { type: 'string' } }, anyOf: [{ $ref: '#/$defs/B' }] }, B: { type: 'object', properties: { y: { type: 'string' } }, anyOf: [{ $ref: '#/$defs/A' }] } } },
      { type: 'object', properties: { a: { $ref: '#/$defs/A' } }, $defs: { A: { allOf: [{ $ref: '#/$defs/B' }] }, B: { allOf: [{ $ref: '#/$defs/A' }] } } },
      { type: 'object', properties: { a: { $ref: '#/$defs/A' } }, $defs: { A: { $ref: '#/$defs/A', minLength: 1 } } },
    ];
    for (const schema of cycles) expect(conversionError(schema).code).toBe('schema_invalid');
  });

  it('refuses schemas beyond the size limits', () => {
    let deep: JsonSchema = { type: 'string' };
    for (let level = 0; level < 11; level++) deep = { type: 'object', properties: { next: deep }, required: ['next'] };
    expect(conversionError(deep).issues[0]).toMatchObject({ code: 'openai_limit', message: expect.stringContaining('nest 11 levels') });
    const manyValues = { type: 'object', properties: { v: { type: 'integer', enum: Array.from({ length: 1001 }, (_, index) => index) } }, required: ['v'] };
    expect(conversionError(manyValues).issues[0]?.message).toContain('1001 enum values');
  });
});

describe('toOpenAIResponseFormat', () => {
  it('wraps the strict schema under response_format', () => {
    const format = toOpenAIResponseFormat({ name: 'qa_pair', jsonSchema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } });
    expect(format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'qa_pair', strict: true, schema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'], additionalProperties: false } },
    });
    expect(JSON.parse(JSON.stringify(format))).toEqual(format);
  });
});

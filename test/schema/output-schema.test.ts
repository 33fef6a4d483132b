import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { z as z3 } from 'zod/v3';
import { SynthforgeError, UsageError } from '../../src/errors.js';
import { SchemaDefinitionError } from '../../src/schema/errors.js';
import { compileOutputSchema, isZodSchema, schemaFieldNames, toSchemaName } from '../../src/schema/output-schema.js';

function definitionError(schema: unknown, name = 'step'): SchemaDefinitionError {
  try {
    compileOutputSchema(name, schema);
  } catch (error) {
    if (error instanceof SchemaDefinitionError) return error;
    throw error;
  }
  throw new Error('expected compileOutputSchema to throw');
}

describe('compileOutputSchema with zod v4', () => {
  const schema = z.object({
    question: z.string().min(10),
    answers: z.array(z.object({ text: z.string(), score: z.number().max(1) })),
    lang: z.string().default('en'),
    tags: z.array(z.string()).transform((tags) => tags.map((tag) => tag.toUpperCase())).optional(),
  });
  const output = compileOutputSchema('qa', schema);

  it('converts with z.toJSONSchema, on the input side', () => {
    expect(output.source).toBe('zod');
    expect(output.jsonSchema.type).toBe('object');
    expect(output.jsonSchema.required).toEqual(['question', 'answers']); // `lang` has a default, so the model may omit it
    expect((output.jsonSchema.properties as Record<string, unknown>).question).toEqual({ type: 'string', minLength: 10 });
  });

  it('returns the parsed output, with defaults and transforms applied', () => {
    const checked = output.validate({ question: 'Why is the sky blue?', answers: [], tags: ['a'] });
    expect(checked).toEqual({ ok: true, value: { question: 'Why is the sky blue?', answers: [], lang: 'en', tags: ['A'] } });
  });

  it('collects every issue with array paths', () => {
    const checked = output.validate({ question: 'short', answers: [{ text: 'ok', score: 0.5 }, { text: null, score: 3 }] });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.issues).toEqual([
      { code: 'too_small', path: ['question'], message: expect.any(String) },
      { code: 'invalid_type', path: ['answers', 1, 'text'], message: 'expected string, got null' },
      { code: 'too_big', path: ['answers', 1, 'score'], message: expect.any(String) },
    ]);
  });

  it('reports a missing property as missing', () => {
    const checked = output.validate({ answers: [] });
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.issues).toEqual([expect.objectContaining({ code: 'missing_property', path: ['question'] })]);
  });

  it('rejects a zod schema with no JSON Schema form, and a non-object root', () => {
    expect(definitionError(z.object({ at: z.date() })).issues[0]?.code).toBe('zod_unrepresentable');
    expect(definitionError(z.array(z.string())).issues[0]?.code).toBe('root_not_object');
  });
});

describe('compileOutputSchema with zod v3', () => {
  const schema = z3.object({ name: z3.string(), age: z3.number().int().optional(), pets: z3.array(z3.object({ kind: z3.enum(['cat', 'dog']) })) });
  const output = compileOutputSchema('people', schema);

  it('converts with zod-to-json-schema', () => {
    expect(output.source).toBe('zod');
    expect(Object.keys(output.jsonSchema.properties as object)).toEqual(['name', 'age', 'pets']);
    expect(output.jsonSchema.required).toEqual(['name', 'pets']);
  });

  it('validates with safeParse and maps the issues', () => {
    expect(output.validate({ name: 'Ada', pets: [{ kind: 'cat' }] })).toEqual({ ok: true, value: { name: 'Ada', pets: [{ kind: 'cat' }] } });
    const checked = output.validate({ name: 1, pets: [{ kind: 'cow' }] });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.issues).toEqual([
      { code: 'invalid_type', path: ['name'], message: 'expected string, got number' },
      expect.objectContaining({ code: 'invalid_value', path: ['pets', 0, 'kind'] }),
    ]);
  });
});

describe('compileOutputSchema with JSON Schema', () => {
  const schema = {
    type: 'object',
    properties: {
      answer: {
        type: 'array',
        items: { type: 'object', properties: { text: { type: 'string', maxLength: 5 } }, required: ['text'], additionalProperties: false },
      },
      level: { enum: ['low', 'high'] },
      contact: { type: 'string', format: 'email' },
      lang: { type: 'string', default: 'en' },
    },
    required: ['answer'],
  };
  const output = compileOutputSchema('answer', schema);

  it('validates, collecting all errors with array paths', () => {
    const checked = output.validate({
      answer: [{ text: 'ok' }, { text: 'much too long' }, { text: null }, { extra: 1 }],
      level: 'mid',
      contact: 'nobody',
    });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.issues).toEqual([
      { code: 'too_big', path: ['answer', 1, 'text'], message: 'expected at most 5 characters, got 13' },
      { code: 'invalid_type', path: ['answer', 2, 'text'], message: 'expected string, got null' },
      { code: 'missing_property', path: ['answer', 3, 'text'], message: 'required property is missing' },
      { code: 'unrecognized_key', path: ['answer', 3, 'extra'], message: 'property not allowed by the schema' },
      { code: 'invalid_value', path: ['level'], message: 'expected one of "low", "high", got "mid"' },
      { code: 'invalid_format', path: ['contact'], message: 'expected email format, got "nobody"' },
    ]);
  });

  it('fills defaults into a copy, leaving the input untouched', () => {
    const input = { answer: [] };
    expect(output.validate(input)).toEqual({ ok: true, value: { answer: [], lang: 'en' } });
    expect(input).toEqual({ answer: [] });
  });

  it('keeps its own copy of the schema', () => {
    const mutable = structuredClone(schema);
    const compiled = compileOutputSchema('copy', mutable);
    mutable.properties.answer.items.properties.text.maxLength = 1000;
    expect(compiled.validate({ answer: [{ text: 'much too long' }] }).ok).toBe(false);
  });

  it('keeps object keys that look like numbers as strings in paths', () => {
    const byId = compileOutputSchema('by_id', {
      type: 'object',
      properties: { byId: { type: 'object', additionalProperties: { type: 'integer' } } },
    });
    const checked = byId.validate({ byId: { '7': 'x' } });
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.issues[0]?.path).toEqual(['byId', '7']);
  });

  it('reads draft-07 and 2020-12 schemas by their $schema', () => {
    const tuple07 = compileOutputSchema('t07', {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { pair: { type: 'array', items: [{ type: 'string' }, { type: 'number' }], additionalItems: false } },
      definitions: { unused: { type: 'string' } },
    });
    expect(tuple07.validate({ pair: ['a', 1] }).ok).toBe(true);
    expect(tuple07.validate({ pair: ['a', 'b'] }).ok).toBe(false);
    expect(tuple07.validate({ pair: ['a', 1, 2] }).ok).toBe(false);

    const tuple2020 = compileOutputSchema('t2020', {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], items: false } },
    });
    expect(tuple2020.validate({ pair: ['a', 1] }).ok).toBe(true);
    expect(tuple2020.validate({ pair: ['a', 1, 2] }).ok).toBe(false);
  });

  it('accepts several schemas that share an $id', () => {
    const first = compileOutputSchema('a', { $id: 'https://example.com/s', type: 'object', properties: { a: { type: 'string' } } });
    const second = compileOutputSchema('b', { $id: 'https://example.com/s', type: 'object', properties: { a: { type: 'number' } } });
    expect(first.validate({ a: 'x' }).ok).toBe(true);
    expect(second.validate({ a: 'x' }).ok).toBe(false);
  });

  it('explains a failed union by the branch of the right type', () => {
    const union = compileOutputSchema('u', {
      type: 'object',
      properties: { note: { anyOf: [{ type: 'string', maxLength: 3 }, { type: 'null' }] } },
    });
    const tooLong = union.validate({ note: 'abcdef' });
    expect(tooLong).toEqual({ ok: false, issues: [{ code: 'too_big', path: ['note'], message: 'expected at most 3 characters, got 6' }] });
    const wrongType = union.validate({ note: 5 });
    expect(wrongType).toEqual({ ok: false, issues: [{ code: 'invalid_union', path: ['note'], message: 'expected string or null, got number' }] });
  });
});

describe('compileOutputSchema errors point into the schema', () => {
  it('is a UsageError with code schema_invalid', () => {
    const error = definitionError({ type: 'object', properties: { a: { type: 'strng' } } });
    expect(error).toBeInstanceOf(UsageError);
    expect(SynthforgeError.isInstance(error)).toBe(true);
    expect(error.code).toBe('schema_invalid');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('properties.a.type: unknown type "strng" (did you mean "string"?)');
  });

  it('collects every problem with its path', () => {
    const error = definitionError({
      type: 'object',
      properties: {
        question: { type: 'string', minLenght: 20 },
        count: { type: 'int' },
        code: { type: 'string', pattern: '([a-z]' },
        when: { type: 'string', format: 'datetime' },
        friend: { $ref: '#/$defs/person' },
        nick: { type: 'string', nullable: true },
        list: { type: 'array', items: { type: ['string', 'bogus'] } },
        bare: 'string',
      },
    });
    expect(error.issues.map((issue) => [issue.code, issue.path])).toEqual([
      ['unknown_keyword', ['properties', 'question', 'minLenght']],
      ['unknown_type', ['properties', 'count', 'type']],
      ['invalid_pattern', ['properties', 'code', 'pattern']],
      ['unknown_format', ['properties', 'when', 'format']],
      ['unresolved_ref', ['properties', 'friend', '$ref']],
      ['unknown_keyword', ['properties', 'nick', 'nullable']],
      ['unknown_type', ['properties', 'list', 'items', 'type', 1]],
      ['invalid_schema', ['properties', 'bare']],
    ]);
    const messages = error.issues.map((issue) => issue.message);
    expect(messages[0]).toContain('did you mean "minLength"?');
    expect(messages[1]).toContain('did you mean "integer"?');
    expect(messages[3]).toContain('did you mean "date-time"?');
    expect(messages[5]).toContain('type: [<type>, "null"]');
    expect(messages[7]).toContain('such as {type: string}');
  });

  it('rejects a root that is not an object schema', () => {
    expect(definitionError([1, 2]).issues[0]?.code).toBe('not_a_schema');
    expect(definitionError({ type: 'array', items: { type: 'string' } }).issues[0]).toMatchObject({ code: 'root_not_object', path: ['type'] });
  });

  it('reports what the meta-schema rejects, with paths', () => {
    const error = definitionError({ type: 'object', properties: { a: { type: 'string', minLength: -1 } }, required: 'a' });
    expect(error.issues.map((issue) => issue.path)).toEqual([['properties', 'a', 'minLength'], ['required']]);
  });

  it('rejects keywords of another draft, a tuple in 2020-12 and an unknown $schema', () => {
    expect(definitionError({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', prefixItems: [] }).issues[0]?.message).toContain('not a draft-07 keyword');
    expect(definitionError({ type: 'object', properties: { p: { type: 'array', items: [{ type: 'string' }] } } }).issues[0]?.code).toBe('tuple_items');
    expect(definitionError({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' }).issues[0]).toMatchObject({ code: 'unsupported_draft', path: ['$schema'] });
  });

  it('rejects a required name that a closed object never declares', () => {
    const error = definitionError({ type: 'object', properties: { answer: { type: 'string' } }, required: ['anwser'], additionalProperties: false });
    expect(error.issues[0]).toMatchObject({ code: 'required_not_declared', path: ['required', 0] });
    expect(error.issues[0]?.message).toContain('did you mean "answer"?');
  });

  it('allows x- annotations and rejects a bad name', () => {
    expect(compileOutputSchema('ok', { type: 'object', 'x-owner': 'team' }).source).toBe('json-schema');
    expect(definitionError({ type: 'object' }, 'has space').issues[0]?.code).toBe('invalid_name');
  });
});

describe('isZodSchema', () => {
  it('recognises zod v4 and v3 schemas and nothing else', () => {
    expect(isZodSchema(z.string())).toBe(true);
    expect(isZodSchema(z3.string())).toBe(true);
    expect(isZodSchema({ type: 'object' })).toBe(false);
    expect(isZodSchema(null)).toBe(false);
    expect(isZodSchema({ _def: {} })).toBe(false);
  });
});

describe('schemaFieldNames', () => {
  it('lists top-level properties, including allOf parts and a root $ref', () => {
    expect(schemaFieldNames({ type: 'object', properties: { a: {}, b: {} } })).toEqual(['a', 'b']);
    expect(schemaFieldNames({ type: 'object', allOf: [{ properties: { a: {} } }, { properties: { c: {} } }] })).toEqual(['a', 'c']);
    expect(schemaFieldNames({ $ref: '#/$defs/root', $defs: { root: { type: 'object', properties: { x: {} } } } })).toEqual(['x']);
    expect(schemaFieldNames({ type: 'object' })).toEqual([]);
  });
});

describe('toSchemaName', () => {
  it('cleans a step name to [a-zA-Z0-9_-]{1,64}', () => {
    expect(toSchemaName('question')).toBe('question');
    expect(toSchemaName('answer v2 (final)')).toBe('answer_v2_final_');
    expect(toSchemaName('ответ')).toBe('output');
    expect(toSchemaName('')).toBe('output');
    expect(toSchemaName('x'.repeat(100))).toHaveLength(64);
  });
});

import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../../src/schema/json-schema.js';
import { stripNullsForOptional } from '../../src/schema/strip-nulls-for-optional.js';

describe('stripNullsForOptional', () => {
  const schema: JsonSchema = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      nick: { type: 'string' },
      note: { type: ['string', 'null'] },
      owner: { $ref: '#/$defs/person' },
      people: { type: 'array', items: { $ref: '#/$defs/person' } },
      free: {},
    },
    required: ['id'],
    $defs: {
      person: { type: 'object', properties: { name: { type: 'string' }, email: { type: 'string' } }, required: ['name'] },
    },
  };

  it('removes nulls of optional, non-nullable properties, recursively and through $ref', () => {
    const value = {
      id: 'r1',
      nick: null,
      note: null,
      owner: { name: 'Ada', email: null },
      people: [{ name: 'Bob', email: null }, { name: 'Cy', email: 'cy@x.io' }],
      free: null,
    };
    expect(stripNullsForOptional(value, schema)).toEqual({
      id: 'r1',
      note: null, // nullable in the original: a real value
      owner: { name: 'Ada' },
      people: [{ name: 'Bob' }, { name: 'Cy', email: 'cy@x.io' }],
      free: null, // an unconstrained schema accepts null
    });
  });

  it('keeps nulls of required properties, so validation reports them', () => {
    expect(stripNullsForOptional({ id: null }, schema)).toEqual({ id: null });
  });

  it('does not modify its input and returns it unchanged when there is nothing to strip', () => {
    const value = { id: 'r1', owner: { name: 'Ada', email: null } };
    const copy = structuredClone(value);
    stripNullsForOptional(value, schema);
    expect(value).toEqual(copy);
    const clean = { id: 'r2' };
    expect(stripNullsForOptional(clean, schema)).toBe(clean);
  });

  it('follows the union branch the value took', () => {
    const union: JsonSchema = {
      type: 'object',
      properties: {
        shape: {
          anyOf: [
            { type: 'object', properties: { radius: { type: 'number' }, label: { type: 'string' } }, required: ['radius'], additionalProperties: false },
            { type: 'object', properties: { side: { type: 'number' }, label: { type: ['string', 'null'] } }, required: ['side'], additionalProperties: false },
          ],
        },
      },
      required: ['shape'],
    };
    expect(stripNullsForOptional({ shape: { radius: 2, label: null } }, union)).toEqual({ shape: { radius: 2 } });
    expect(stripNullsForOptional({ shape: { side: 2, label: null } }, union)).toEqual({ shape: { side: 2, label: null } });
  });

  it('counts allOf parts and draft-07 definitions', () => {
    const merged: JsonSchema = {
      type: 'object',
      allOf: [{ properties: { a: { type: 'string' } }, required: ['a'] }, { properties: { b: { $ref: '#/definitions/b' } } }],
      definitions: { b: { type: 'integer' } },
    };
    expect(stripNullsForOptional({ a: null, b: null }, merged)).toEqual({ a: null });
  });

  it('returns a value with no null anywhere as it came, however deeply nested', () => {
    const value = { question: 'q', answers: [{ text: 'a', score: 1 }] };
    expect(stripNullsForOptional(value, schema)).toBe(value);
    let deep: unknown = ['leaf'];
    for (let level = 0; level < 200_000; level++) deep = [deep];
    expect(stripNullsForOptional(deep, schema)).toBe(deep);
    const wide = Array.from({ length: 300_000 }, (_, index) => index);
    expect(stripNullsForOptional(wide, schema)).toBe(wide);
  });

  it('leaves non-objects alone', () => {
    expect(stripNullsForOptional(null, schema)).toBeNull();
    expect(stripNullsForOptional('x', schema)).toBe('x');
  });
});

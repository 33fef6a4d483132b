import { describe, expect, it } from 'vitest';
import { mergeSchemas } from '../../src/schema/merge-schemas.js';

describe('mergeSchemas', () => {
  it('unions properties and required, and tightens bounds', () => {
    expect(
      mergeSchemas([
        { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
        { properties: { b: { type: 'integer', minimum: 2 } }, required: ['b'] },
        { properties: { b: { type: 'integer', minimum: 5, maximum: 9 } } },
      ]),
    ).toEqual({
      ok: true,
      schema: {
        type: 'object',
        properties: { a: { type: 'string' }, b: { allOf: [{ type: 'integer', minimum: 2 }, { type: 'integer', minimum: 5, maximum: 9 }] } },
        required: ['a', 'b'],
      },
    });
    expect(mergeSchemas([{ minLength: 2, maxLength: 9 }, { minLength: 4, maxLength: 6 }])).toEqual({ ok: true, schema: { minLength: 4, maxLength: 6 } });
  });

  it('intersects types and enums', () => {
    expect(mergeSchemas([{ type: ['string', 'null'] }, { type: 'string' }])).toEqual({ ok: true, schema: { type: 'string' } });
    expect(mergeSchemas([{ type: 'number' }, { type: 'integer' }])).toEqual({ ok: true, schema: { type: 'integer' } });
    expect(mergeSchemas([{ enum: ['a', 'b'] }, { enum: ['b', 'c'] }])).toEqual({ ok: true, schema: { enum: ['b'] } });
    expect(mergeSchemas([{ type: 'string' }, { type: 'number' }]).ok).toBe(false);
    expect(mergeSchemas([{ enum: ['a'] }, { enum: ['b'] }]).ok).toBe(false);
  });

  it('refuses what has no single-schema form', () => {
    expect(mergeSchemas([{ pattern: '^a' }, { pattern: 'b$' }])).toEqual({ ok: false, reason: 'the parts disagree on "pattern"' });
    expect(mergeSchemas([false, { type: 'string' }]).ok).toBe(false);
    const closed = mergeSchemas([{ properties: { a: {} }, additionalProperties: false }, { properties: { b: {} } }]);
    expect(closed.ok).toBe(false);
  });

  it('treats true as neutral and keeps the first annotation', () => {
    expect(mergeSchemas([true, { description: 'first' }, { description: 'second', type: 'string' }])).toEqual({ ok: true, schema: { description: 'first', type: 'string' } });
  });
});

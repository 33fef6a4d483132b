import { describe, expect, it } from 'vitest';
import { dedupTextOf } from '../../src/dedup/deduper.js';
import { SynthforgeError } from '../../src/errors.js';

describe('dedupTextOf', () => {
  it('joins the chosen fields in spec order with a newline', () => {
    expect(dedupTextOf({ answer: 'A', question: 'Q', other: 'x' }, { fields: ['question', 'answer'] })).toBe('Q\nA');
  });

  it('JSON-encodes values that are not strings', () => {
    expect(dedupTextOf({ n: 3, flags: [true, null], meta: { a: 1 } }, { fields: ['n', 'flags', 'meta'] })).toBe('3\n[true,null]\n{"a":1}');
    expect(dedupTextOf({ value: null }, { fields: ['value'] })).toBe('null');
  });

  it('follows dotted paths through objects and arrays, after trying the literal key', () => {
    const fields = { meta: { title: 'T' }, messages: [{ content: 'first' }, { content: 'second' }], 'a.b': 'literal' };
    expect(dedupTextOf(fields, { fields: ['meta.title', 'messages.1.content', 'a.b'] })).toBe('T\nsecond\nliteral');
  });

  it('throws a coded error for a missing field instead of comparing empty text', () => {
    let error: unknown;
    try {
      dedupTextOf({ question: 'Q' }, { fields: ['answer'] }, 'r-7');
    } catch (caught) {
      error = caught;
    }
    expect(SynthforgeError.isInstance(error)).toBe(true);
    expect((error as SynthforgeError).code).toBe('dedup_field_missing');
    expect((error as Error).message).toContain('r-7');
    expect(() => dedupTextOf({ meta: {} }, { fields: ['meta.title'] })).toThrow(/meta\.title/);
  });
});

import { describe, expect, it } from 'vitest';
import { extractJson } from '../../src/schema/extract-json.js';

describe('extractJson', () => {
  it('takes the whole text when it is JSON', () => {
    expect(extractJson('  {"a": 1, "b": [true, null]}\n')).toEqual({ ok: true, value: { a: 1, b: [true, null] } });
    expect(extractJson('[1, 2]')).toEqual({ ok: true, value: [1, 2] });
  });

  it('takes a ```json fenced block', () => {
    const text = 'Here you go:\n```json\n{"question": "Why?"}\n```\nHope that helps.';
    expect(extractJson(text)).toEqual({ ok: true, value: { question: 'Why?' } });
  });

  it('takes a bare ``` fenced block', () => {
    expect(extractJson('Result:\n```\n{"n": 3}\n```')).toEqual({ ok: true, value: { n: 3 } });
  });

  it('skips fenced blocks in other languages and blocks that do not parse', () => {
    const text = '```python\nprint({"no": 1})\n```\n```json\n{not json}\n```\n```json\n{"yes": true}\n```';
    expect(extractJson(text)).toEqual({ ok: true, value: { yes: true } });
  });

  it('finds JSON after prose', () => {
    expect(extractJson('Sure! The record is {"name": "Ada", "age": 36}. Anything else?')).toEqual({ ok: true, value: { name: 'Ada', age: 36 } });
  });

  it('does not count braces inside strings', () => {
    const text = 'Answer: {"code": "if (x) { return \\"}\\"; }", "list": "[not an array"} trailing }';
    expect(extractJson(text)).toEqual({ ok: true, value: { code: 'if (x) { return "}"; }', list: '[not an array' } });
  });

  it('moves past balanced spans that are not JSON', () => {
    expect(extractJson('Options {a, b} were considered; final: {"pick": "b"}')).toEqual({ ok: true, value: { pick: 'b' } });
  });

  it('finds a nested object when the outer span is not JSON', () => {
    expect(extractJson('{ note: {"inner": 1} }')).toEqual({ ok: true, value: { inner: 1 } });
  });

  it('prefers an object over an earlier array in prose when asked', () => {
    const text = 'As shown in [1], the answer is {"a": 2}';
    expect(extractJson(text)).toEqual({ ok: true, value: [1] });
    expect(extractJson(text, { preferObject: true })).toEqual({ ok: true, value: { a: 2 } });
  });

  it('ignores reasoning blocks', () => {
    const text = '<think>maybe {"a": 1}?</think>\n{"a": 2}';
    expect(extractJson(text)).toEqual({ ok: true, value: { a: 2 } });
    expect(extractJson('<think>{"a": 1} and then I ran out of tokens').ok).toBe(false);
  });

  it('reports garbage, empty text and truncated JSON', () => {
    expect(extractJson('I cannot help with that.')).toEqual({ ok: false, message: 'no JSON value found in the output' });
    expect(extractJson('   ')).toEqual({ ok: false, message: 'empty output' });
    expect(extractJson('{"a": "unterminated').ok).toBe(false);
    expect(extractJson('{"a": 1,}').ok).toBe(false);
  });

  it('never evaluates code', () => {
    const marker = globalThis as { extractJsonRan?: boolean };
    expect(extractJson('{"a": (globalThis.extractJsonRan = true)}').ok).toBe(false);
    expect(marker.extractJsonRan).toBeUndefined();
  });

  it('skips a span whose closer does not match, and reads escaped quotes inside a span', () => {
    expect(extractJson('see {"a": [1}, then {"b": 2}')).toEqual({ ok: true, value: { b: 2 } });
    expect(extractJson('x {"a": "\\"}"} y')).toEqual({ ok: true, value: { a: '"}' } });
    expect(extractJson('[1] then {"b": 2}', { preferObject: true })).toEqual({ ok: true, value: { b: 2 } });
    expect(extractJson('[1] then {"b": 2}')).toEqual({ ok: true, value: [1] });
  });

  it('gives the text the value was read from when asked', () => {
    expect(extractJson(' {"a":1}\n', { withSource: true })).toEqual({ ok: true, value: { a: 1 }, source: '{"a":1}' });
    expect(extractJson('Result:\n```json\n{"n":3}\n```', { withSource: true })).toEqual({ ok: true, value: { n: 3 }, source: '{"n":3}' });
    expect(extractJson('see {"b":2}.', { withSource: true })).toEqual({ ok: true, value: { b: 2 }, source: '{"b":2}' });
  });

  it('stays fast on many unbalanced braces', () => {
    const text = `${'{'.repeat(50_000)} {"ok": true}`;
    expect(extractJson(text).ok).toBe(false); // beyond the span budget, but it returns
    expect(extractJson(`${'{['.repeat(50)} {"ok": true}`)).toEqual({ ok: true, value: { ok: true } });
  });
});

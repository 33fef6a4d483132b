import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileOutputSchema } from '../../src/schema/output-schema.js';
import { checkModelValue, parseModelOutput } from '../../src/schema/parse-output.js';
import { stripNullsForOptional } from '../../src/schema/strip-nulls-for-optional.js';

const jsonSchemaOutput = compileOutputSchema('qa', {
  type: 'object',
  properties: {
    question: { type: 'string' },
    answers: { type: 'array', items: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } },
    source: { type: 'string' },
  },
  required: ['question', 'answers'],
});
const zodOutput = compileOutputSchema('qa', z.object({ question: z.string(), answers: z.array(z.object({ text: z.string() })), source: z.string().optional() }));

describe.each([
  ['JSON Schema', jsonSchemaOutput],
  ['zod', zodOutput],
])('parseModelOutput (%s)', (_label, output) => {
  it('returns the object for a valid answer, even inside prose', () => {
    const text = 'Here it is:\n```json\n{"question": "Why?", "answers": [{"text": "Because."}]}\n```';
    expect(parseModelOutput(text, output)).toEqual({ ok: true, value: { question: 'Why?', answers: [{ text: 'Because.' }] } });
  });

  it('says not_json when there is no JSON', () => {
    expect(parseModelOutput('I would rather not.', output)).toEqual({ ok: false, reason: 'not_json', message: 'no JSON value found in the output' });
  });

  it('says schema_violation with paths when the JSON does not fit', () => {
    const parsed = parseModelOutput('{"question": "Why?", "answers": [{"text": "a"}, {"text": null}]}', output);
    expect(parsed).toEqual({
      ok: false,
      reason: 'schema_violation',
      message: 'answers[1].text: expected string, got null',
      issues: [{ code: 'invalid_type', path: ['answers', 1, 'text'], message: 'expected string, got null' }],
    });
  });

  it('treats a JSON value that is not an object as a schema violation', () => {
    const parsed = parseModelOutput('["Why?"]', output);
    expect(parsed).toMatchObject({ ok: false, reason: 'schema_violation', message: '(root): expected object, got array' });
  });

  it('prefers the object over a citation in brackets', () => {
    expect(parseModelOutput('Per [1]: {"question": "q", "answers": []}', output)).toEqual({ ok: true, value: { question: 'q', answers: [] } });
  });

  it('turns nulls for optional fields into absent keys when asked (OpenAI strict answers)', () => {
    const text = '{"question": "q", "answers": [], "source": null}';
    expect(parseModelOutput(text, output).ok).toBe(false);
    expect(parseModelOutput(text, output, { normalize: (value) => stripNullsForOptional(value, output.jsonSchema) })).toEqual({ ok: true, value: { question: 'q', answers: [] } });
  });
});

describe('checkModelValue', () => {
  it('checks an already parsed value such as a tool_use input', () => {
    expect(checkModelValue({ question: 'q', answers: [] }, jsonSchemaOutput)).toEqual({ ok: true, value: { question: 'q', answers: [] } });
    expect(checkModelValue('text', jsonSchemaOutput)).toMatchObject({ ok: false, reason: 'schema_violation' });
  });

  it('rejects a zod transform that returns something other than an object', () => {
    const output = compileOutputSchema('t', z.object({ a: z.string() }).transform((value) => value.a));
    expect(checkModelValue({ a: 'x' }, output)).toMatchObject({ ok: false, reason: 'schema_violation', message: '(root): the schema produced string, not an object' });
  });
});

describe('parseModelOutput withJson: the reply kept as the value\'s JSON.stringify', () => {
  const withJson = { withJson: true };

  it('gives a compact reply as `json`, the very text JSON.stringify(value) writes', () => {
    const text = '{"question":"Why \\"so\\"?","answers":[{"text":"Because.\\n"}],"source":"é"}';
    const parsed = parseModelOutput(text, jsonSchemaOutput, withJson);
    expect(parsed).toEqual({ ok: true, value: JSON.parse(text), json: text });
    expect(parsed.ok && parsed.json).toBe(JSON.stringify(parsed.ok && parsed.value));
  });

  it('gives the fenced block or span that was parsed, when that one is compact', () => {
    expect(parseModelOutput('Here:\n```json\n{"question":"q","answers":[]}\n```', jsonSchemaOutput, withJson)).toMatchObject({ json: '{"question":"q","answers":[]}' });
    expect(parseModelOutput('Sure: {"question":"q","answers":[]} done', jsonSchemaOutput, withJson)).toMatchObject({ json: '{"question":"q","answers":[]}' });
  });

  it('leaves `json` out unless asked, and for a reply stringify would write otherwise', () => {
    expect(parseModelOutput('{"question":"q","answers":[]}', jsonSchemaOutput)).toEqual({ ok: true, value: { question: 'q', answers: [] } });
    expect(parseModelOutput('{"question": "q", "answers": []}', jsonSchemaOutput, withJson)).toEqual({ ok: true, value: { question: 'q', answers: [] } });
  });

  it('takes `json` from the text that was parsed, not the reply (a reasoning block cut out)', () => {
    const text = '{"question":"<think>x</think>","answers":[]}';
    expect(parseModelOutput(text, jsonSchemaOutput, withJson)).toEqual({ ok: true, value: { question: '', answers: [] }, json: '{"question":"","answers":[]}' });
  });

  it('leaves `json` out where checking changed the value: defaults filled, nulls stripped, zod', () => {
    const withDefault = compileOutputSchema('d', { type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer', default: 3 } }, required: ['a'] });
    expect(parseModelOutput('{"a":"x"}', withDefault, withJson)).toEqual({ ok: true, value: { a: 'x', b: 3 } });
    // A default that changes nothing still goes through a copy: no shortcut, same bytes.
    expect(parseModelOutput('{"a":"x","b":1}', withDefault, withJson)).toEqual({ ok: true, value: { a: 'x', b: 1 } });
    const strip = { ...withJson, normalize: (value: Record<string, unknown>) => stripNullsForOptional(value, jsonSchemaOutput.jsonSchema) };
    expect(parseModelOutput('{"question":"q","answers":[],"source":null}', jsonSchemaOutput, strip)).toEqual({ ok: true, value: { question: 'q', answers: [] } });
    expect(parseModelOutput('{"question":"q","answers":[]}', zodOutput, withJson)).toEqual({ ok: true, value: { question: 'q', answers: [] } });
  });

  // Guards the validator's options (ajv-instances.ts): type coercion or removing additional
  // properties in place would make the kept text differ from the value's JSON.
  it.each([
    [{ type: 'object', properties: { n: { type: 'integer' } } }, '{"n":"1"}'],
    [{ type: 'object', properties: { n: { type: 'array', items: { type: 'string' } } } }, '{"n":"x"}'],
    [{ type: 'object', properties: { n: { type: 'boolean' } } }, '{"n":"true"}'],
    [{ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false }, '{"a":"x","extra":1}'],
    [{ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false }, '{"a":"x"}'],
  ])('any `json` it gives is JSON.stringify(value) (%j, %s)', (schema, text) => {
    const parsed = parseModelOutput(text, compileOutputSchema('g', schema), withJson);
    if (parsed.ok && parsed.json !== undefined) expect(parsed.json).toBe(JSON.stringify(parsed.value));
  });
});

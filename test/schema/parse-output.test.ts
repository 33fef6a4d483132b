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

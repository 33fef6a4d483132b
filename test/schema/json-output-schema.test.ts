import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SchemaDefinitionError } from '../../src/schema/errors.js';
import { compileJsonOutputSchema } from '../../src/schema/json-output-schema.js';
import { compileOutputSchema } from '../../src/schema/output-schema.js';

const SCHEMA = {
  type: 'object',
  properties: {
    answer: { type: 'string', minLength: 5 },
    confidence: { type: 'integer', minimum: 1, maximum: 5 },
    lang: { type: 'string', default: 'en', format: 'regex' },
  },
  required: ['answer', 'confidence'],
  additionalProperties: false,
};

const ANSWERS: unknown[] = [
  { answer: 'long enough', confidence: 3 },
  { answer: 'long enough', confidence: 3, lang: 'fr' },
  { answer: 'shrt', confidence: 9, extra: true },
  { answer: 42 },
  { answer: 'long enough', confidence: 2, lang: '(' },
  'not an object',
];

describe('compileJsonOutputSchema with checked: true (a collect thread)', () => {
  const full = compileOutputSchema('step', SCHEMA);
  const checked = compileJsonOutputSchema('step', SCHEMA, { checked: true });

  it('judges every answer as compileOutputSchema does: the same verdicts, values and issues', () => {
    for (const answer of ANSWERS) expect(checked.validate(answer)).toEqual(full.validate(answer));
    expect(checked.jsonSchema).toEqual(full.jsonSchema);
    expect(checked.source).toBe('json-schema');
  });

  it('compiles a draft-07 or 2019-09 schema under its own draft', () => {
    const draft07 = { $schema: 'http://json-schema.org/draft-07/schema#', ...SCHEMA, properties: { ...SCHEMA.properties, pair: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }] } } };
    const checkedDraft07 = compileJsonOutputSchema('step', draft07, { checked: true });
    const fullDraft07 = compileOutputSchema('step', draft07);
    for (const answer of [{ answer: 'long enough', confidence: 1, pair: ['a', 1] }, { answer: 'long enough', confidence: 1, pair: [1, 'a'] }]) {
      expect(checkedDraft07.validate(answer)).toEqual(fullDraft07.validate(answer));
    }
    const draft2019 = { $schema: 'https://json-schema.org/draft/2019-09/schema', ...SCHEMA };
    expect(compileJsonOutputSchema('step', draft2019, { checked: true }).validate(ANSWERS[2])).toEqual(compileOutputSchema('step', draft2019).validate(ANSWERS[2]));
  });

  it('refuses a schema of a draft it does not support, naming it', () => {
    const draft04 = { $schema: 'http://json-schema.org/draft-04/schema#', ...SCHEMA };
    expect(() => compileJsonOutputSchema('step', draft04, { checked: true })).toThrow(SchemaDefinitionError);
    expect(() => compileJsonOutputSchema('step', 'not a schema', { checked: true })).toThrow(/not a JSON Schema of a supported draft/);
  });

  it('without checked, still checks the definition as compileOutputSchema does', () => {
    expect(() => compileJsonOutputSchema('step', { type: 'object', properties: { a: { type: 'strin' } } })).toThrow(SchemaDefinitionError);
  });

  it('is all the collect thread loads of the schema layer: neither zod conversion nor output-schema.ts', () => {
    const worker = readFileSync(new URL('../../src/engine/collect-worker.ts', import.meta.url), 'utf8');
    const own = readFileSync(new URL('../../src/schema/json-output-schema.ts', import.meta.url), 'utf8');
    expect(worker).not.toMatch(/from '\.\.\/schema\/output-schema\.js'/);
    expect(own).not.toMatch(/from '(\.\/output-schema|\.\/zod-schema|zod)/);
  });
});

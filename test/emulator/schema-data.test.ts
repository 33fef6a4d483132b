import { describe, expect, it } from 'vitest';
import { generateSchemaData, readDescriptionHints } from '../../src/emulator/core/schema-data.js';
import { validatorFor } from './emulator-harness.js';

const SCHEMAS: Record<string, object> = {
  formats: {
    type: 'object',
    properties: Object.fromEntries(
      ['date-time', 'date', 'time', 'duration', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid', 'uri'].map((format) => [format, { type: 'string', format }]),
    ),
    required: ['date-time', 'date', 'time', 'duration', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid', 'uri'],
    additionalProperties: false,
  },
  constraints: {
    type: 'object',
    properties: {
      code: { type: 'string', pattern: '^[A-Z]{3}-\\d{4}$' },
      level: { type: 'string', enum: ['low', 'high'] },
      fixed: { const: 'v1' },
      score: { type: 'integer', minimum: 1, maximum: 5 },
      ratio: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, multipleOf: 0.25 },
      title: { type: 'string', minLength: 30, maxLength: 60 },
      short: { type: 'string', maxLength: 8 },
      maybe: { type: ['string', 'null'] },
      items: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 4 },
    },
    required: ['code', 'level', 'fixed', 'score', 'ratio', 'title', 'short', 'maybe', 'items'],
    additionalProperties: false,
  },
  nested: {
    type: 'object',
    properties: {
      steps: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          properties: { text: { type: 'string' }, choice: { anyOf: [{ type: 'integer' }, { type: 'string', enum: ['x', 'y'] }] } },
          required: ['text', 'choice'],
          additionalProperties: false,
        },
      },
    },
    required: ['steps'],
    additionalProperties: false,
  },
  refs: {
    type: 'object',
    properties: { owner: { $ref: '#/$defs/person' }, backup: { anyOf: [{ $ref: '#/$defs/person' }, { type: 'null' }] } },
    required: ['owner', 'backup'],
    additionalProperties: false,
    $defs: { person: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false } },
  },
  draft07: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { tag: { $ref: '#/definitions/tag' } },
    required: ['tag'],
    definitions: { tag: { type: 'string', maxLength: 12 } },
  },
  recursive: {
    type: 'object',
    properties: { label: { type: 'string' }, children: { type: 'array', items: { $ref: '#' }, maxItems: 2 } },
    required: ['label', 'children'],
    additionalProperties: false,
  },
};

describe('generateSchemaData', () => {
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    it(`produces data valid against the ${name} schema for every seed`, () => {
      const valid = validatorFor(schema);
      for (let seed = 0; seed < 40; seed++) {
        const data = generateSchemaData(schema, [name, seed], ['router', 'firmware']);
        expect(valid(data), JSON.stringify(data)).toBe(true);
      }
    });
  }

  it('is deterministic per seed and varies across seeds', () => {
    const schema = SCHEMAS.constraints;
    expect(generateSchemaData(schema, ['a'], [])).toEqual(generateSchemaData(schema, ['a'], []));
    expect(generateSchemaData(schema, ['a'], [])).not.toEqual(generateSchemaData(schema, ['b'], []));
  });

  it('writes plain strings as sentences within minLength and maxLength', () => {
    for (let seed = 0; seed < 20; seed++) {
      const data = generateSchemaData(SCHEMAS.constraints, ['len', seed], []) as { title: string; short: string };
      expect(data.title.length).toBeGreaterThanOrEqual(30);
      expect(data.title.length).toBeLessThanOrEqual(60);
      expect(data.title).toMatch(/^[A-Z][a-z]* /);
      expect(data.short.length).toBeLessThanOrEqual(8);
    }
  });

  it('honours constraints the Anthropic SDK moved into descriptions', () => {
    expect(readDescriptionHints('How sure.\n\n{minimum: 1, maximum: 5}')).toEqual({ minimum: 1, maximum: 5 });
    expect(readDescriptionHints('{minItems: 3, title: "x"}')).toEqual({ minItems: 3 });
    expect(readDescriptionHints('no hints here')).toEqual({});
    const schema = {
      type: 'object',
      properties: {
        score: { type: 'integer', description: 'Score.\n\n{minimum: 1, maximum: 5}' },
        tags: { type: 'array', items: { type: 'string' }, description: '{minItems: 3, maxItems: 3}' },
      },
      required: ['score', 'tags'],
      additionalProperties: false,
    };
    for (let seed = 0; seed < 20; seed++) {
      const data = generateSchemaData(schema, ['hint', seed], []) as { score: number; tags: string[] };
      expect(data.score).toBeGreaterThanOrEqual(1);
      expect(data.score).toBeLessThanOrEqual(5);
      expect(data.tags).toHaveLength(3);
    }
  });
});

describe('generateSchemaData with firstChoiceRate', () => {
  const verdict = { type: 'object', properties: { v: { type: 'object', properties: { reason: { type: 'string' }, better: { type: 'string', enum: ['A', 'B'] } }, required: ['reason', 'better'] } }, required: ['v'] };
  const pick = (seed: number, rate: number) => (generateSchemaData(verdict, ['line', seed], [], undefined, rate) as { v: { better: string } }).v.better;

  it('at 1, every enum takes its first value (a judge that always picks what it read first)', () => {
    for (let seed = 0; seed < 40; seed++) expect(pick(seed, 1)).toBe('A');
  });

  it('at 0, enum values are drawn: both appear', () => {
    const seen = new Set(Array.from({ length: 40 }, (_, seed) => pick(seed, 0)));
    expect(seen).toEqual(new Set(['A', 'B']));
  });
});

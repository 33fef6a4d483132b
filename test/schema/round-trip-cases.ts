import { z } from 'zod';
import { z as z3 } from 'zod/v3';

/**
 * Schemas for the round-trip suite. `looser` lists values the provider's grammar would allow but the
 * original schema forbids (a keyword the provider does not enforce): our validator must reject them.
 */
export type LooserCase = {
  form: 'openai' | 'anthropic';
  path: (string | number)[];
  value: unknown;
  code: string;
};
export type RoundTripCase = {
  name: string;
  schema: unknown;
  looser?: LooserCase[];
  /** Forms that must refuse this schema, with the issue code. */
  refusedBy?: { form: 'openai' | 'anthropic'; code: string }[];
};

export const ROUND_TRIP_CASES: RoundTripCase[] = [
  {
    name: 'nested objects',
    schema: {
      type: 'object',
      properties: {
        user: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            address: {
              type: 'object',
              properties: { city: { type: 'string' }, zip: { type: 'string', pattern: '^[0-9]{5}$' } },
              required: ['city'],
            },
          },
          required: ['name', 'address'],
          additionalProperties: false,
        },
      },
      required: ['user'],
    },
  },
  {
    name: 'arrays of objects with numeric bounds',
    schema: {
      type: 'object',
      properties: {
        lines: {
          type: 'array',
          minItems: 2,
          maxItems: 4,
          items: {
            type: 'object',
            properties: {
              sku: { type: 'string' },
              qty: { type: 'integer', minimum: 1, maximum: 99 },
              price: { type: 'number', exclusiveMinimum: 0, multipleOf: 0.5 },
            },
            required: ['sku', 'qty', 'price'],
          },
        },
      },
      required: ['lines'],
    },
    looser: [
      { form: 'anthropic', path: ['lines', 0, 'qty'], value: 500, code: 'too_big' },
      { form: 'anthropic', path: ['lines', 0, 'price'], value: 0.3, code: 'not_multiple_of' },
    ],
  },
  {
    name: 'enums',
    schema: {
      type: 'object',
      properties: {
        status: { type: 'string', enum: ['open', 'closed', 'pending'] },
        priority: { type: 'integer', enum: [1, 2, 3] },
        label: { enum: ['a', 'b', null] },
        flag: { const: 'on' },
      },
      required: ['status', 'priority', 'label', 'flag'],
    },
  },
  {
    name: 'optional fields',
    schema: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        nickname: { type: 'string' },
        score: { type: 'number' },
        meta: { type: 'object', properties: { source: { type: 'string' } }, required: ['source'] },
        tags: { type: 'array', items: { type: 'string' } },
        mood: { type: 'string', enum: ['happy', 'sad'] },
        note: { type: ['string', 'null'] },
      },
      required: ['id'],
      additionalProperties: false,
    },
  },
  {
    name: 'unions',
    schema: {
      type: 'object',
      properties: {
        value: { anyOf: [{ type: 'string' }, { type: 'number' }] },
        either: { type: ['string', 'integer'] },
        shape: {
          oneOf: [
            { type: 'object', properties: { kind: { const: 'circle' }, radius: { type: 'number' } }, required: ['kind', 'radius'] },
            { type: 'object', properties: { kind: { const: 'square' }, side: { type: 'number' } }, required: ['kind', 'side'] },
          ],
        },
      },
      required: ['value', 'either', 'shape'],
    },
  },
  {
    name: 'string formats',
    schema: {
      type: 'object',
      properties: {
        email: { type: 'string', format: 'email' },
        at: { type: 'string', format: 'date-time' },
        day: { type: 'string', format: 'date' },
        site: { type: 'string', format: 'uri' },
        id: { type: 'string', format: 'uuid' },
        host: { type: 'string', format: 'hostname' },
        ip: { type: 'string', format: 'ipv4' },
      },
      required: ['email', 'at', 'day', 'site', 'id', 'host', 'ip'],
    },
    looser: [{ form: 'openai', path: ['site'], value: 'not a uri', code: 'invalid_format' }],
  },
  {
    name: '$defs and $ref',
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        author: { $ref: '#/$defs/person' },
        reviewer: { $ref: '#/$defs/person' },
        editors: { type: 'array', items: { $ref: '#/$defs/person' } },
      },
      required: ['author', 'editors'],
      $defs: {
        person: {
          type: 'object',
          properties: { name: { type: 'string', minLength: 1 }, email: { type: 'string', format: 'email' } },
          required: ['name'],
        },
      },
    },
    looser: [
      { form: 'openai', path: ['author', 'name'], value: '', code: 'too_small' },
      { form: 'anthropic', path: ['author', 'name'], value: '', code: 'too_small' },
    ],
  },
  {
    name: 'draft-07 definitions',
    schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { home: { $ref: '#/definitions/place' }, work: { $ref: '#/definitions/place' } },
      required: ['home'],
      definitions: { place: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
    },
  },
  {
    name: 'recursive tree',
    schema: {
      type: 'object',
      properties: { root: { $ref: '#/$defs/node' } },
      required: ['root'],
      $defs: {
        node: {
          type: 'object',
          properties: { label: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/node' }, maxItems: 2 } },
          required: ['label', 'children'],
        },
      },
    },
    refusedBy: [{ form: 'anthropic', code: 'recursive_schema' }],
  },
  {
    name: 'string lengths',
    schema: {
      type: 'object',
      properties: {
        question: { type: 'string', minLength: 20, maxLength: 200 },
        summary: { type: 'string', maxLength: 10 },
      },
      required: ['question'],
    },
    looser: [
      { form: 'openai', path: ['question'], value: 'too short', code: 'too_small' },
      { form: 'openai', path: ['summary'], value: 'x'.repeat(11), code: 'too_big' },
      { form: 'anthropic', path: ['question'], value: 'q'.repeat(201), code: 'too_big' },
    ],
  },
  {
    name: 'allOf merge and array constraints',
    schema: {
      type: 'object',
      allOf: [
        { properties: { a: { type: 'string' } }, required: ['a'] },
        { properties: { b: { type: 'array', items: { type: 'integer' }, uniqueItems: true, maxItems: 3 } }, required: ['b'] },
      ],
    },
    looser: [
      { form: 'openai', path: ['b'], value: [1, 1], code: 'not_unique' },
      { form: 'anthropic', path: ['b'], value: [1, 2, 3, 4], code: 'too_big' },
    ],
  },
  {
    name: 'zod v4',
    schema: z.object({
      title: z.string(),
      email: z.email(),
      rating: z.number().int().optional(),
      kind: z.enum(['bug', 'feature']),
      owner: z.string().nullable(),
      steps: z.array(z.object({ text: z.string(), done: z.boolean().optional() })),
      lang: z.string().default('en'),
    }),
  },
  {
    name: 'zod v3 with a reused subschema',
    schema: (() => {
      const money = z3.object({ amount: z3.number(), currency: z3.enum(['EUR', 'USD']) });
      return z3.object({ price: money, discount: money.optional(), note: z3.string().optional() });
    })(),
  },
];

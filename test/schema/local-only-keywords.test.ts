import { describe, expect, it } from 'vitest';
import { toAnthropicSchema } from '../../src/schema/anthropic-output.js';
import type { JsonSchema } from '../../src/schema/json-schema.js';
import { formatLocalOnlyKeywords, localOnlyKeywords, type StructuredOutputTarget } from '../../src/schema/local-only-keywords.js';
import { toOpenAIStrictSchema } from '../../src/schema/openai-strict.js';

/** Every constraint keyword once, where it applies, so the converters report what they drop. */
const EVERY_KEYWORD: JsonSchema = {
  type: 'object',
  properties: {
    s: { type: 'string', minLength: 1, maxLength: 9, pattern: '(?=a)a', format: 'uri-reference' },
    n: { type: 'number', minimum: 0, maximum: 9, exclusiveMinimum: -1, exclusiveMaximum: 10, multipleOf: 0.5 },
    a: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 5, uniqueItems: true, contains: { const: 'x' }, minContains: 1, maxContains: 2, unevaluatedItems: false },
    t: { type: 'array', prefixItems: [{ type: 'string' }] },
    o: {
      type: 'object',
      properties: { k: { type: 'string' } },
      patternProperties: { '^x': { type: 'string' } },
      propertyNames: { maxLength: 3 },
      minProperties: 1,
      maxProperties: 3,
      unevaluatedProperties: false,
      dependentRequired: { k: ['k'] },
      dependentSchemas: { k: { required: ['k'] } },
      dependencies: { k: ['k'] },
    },
    logic: { type: 'string', not: { const: 'z' }, if: { const: 'a' }, then: { const: 'a' }, else: { type: 'string' } },
    union: { oneOf: [{ type: 'string' }, { type: 'number' }] },
    objects: { enum: [{ a: 1 }] },
    objectConst: { const: { a: 1 } },
    fallback: { type: 'string', default: 'x' },
  },
  anyOf: [{ required: ['s'] }, { required: ['n'] }],
};

const draft07Tuple: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { t: { type: 'array', items: [{ type: 'string' }], additionalItems: { type: 'number' } } },
};

function reported(target: 'openai-strict' | 'anthropic'): Set<string> {
  const convert = target === 'openai-strict' ? toOpenAIStrictSchema : toAnthropicSchema;
  return new Set([...convert(EVERY_KEYWORD).localOnly, ...convert(draft07Tuple).localOnly].map((entry) => entry.keyword));
}

describe('localOnlyKeywords', () => {
  it.each(['openai-strict', 'anthropic'] as const)('%s: the printed list is exactly what the converter leaves to local validation', (target) => {
    const listed = new Set(localOnlyKeywords(target).map((rule) => rule.keyword));
    expect([...reported(target)].sort()).toEqual([...listed].sort());
  });

  it('prints one line per keyword, with the condition when there is one', () => {
    const lines = formatLocalOnlyKeywords('openai-strict').split('\n');
    expect(lines).toContain('minLength');
    expect(lines).toContain('format (other than date-time, time, date, duration, email, hostname, ipv4, ipv6, uuid)');
    expect(formatLocalOnlyKeywords('anthropic').split('\n')).toContain('minItems (above 1; sent as minItems: 1)');
    const targets: StructuredOutputTarget[] = ['openai-strict', 'anthropic', 'prompt'];
    for (const target of targets) expect(formatLocalOnlyKeywords(target).length).toBeGreaterThan(0);
  });
});

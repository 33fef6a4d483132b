import { describe, expect, it } from 'vitest';
import { isSimplePattern, toAnthropicForcedTool, toAnthropicOutputConfig, toAnthropicSchema } from '../../src/providers/anthropic/anthropic-output-schema.js';
import { SchemaDefinitionError } from '../../src/schema/errors.js';
import type { JsonSchema } from '../../src/schema/json-schema.js';
import { anthropicViolations } from '../schema/provider-schema-rules.js';

const SCHEMA: JsonSchema = {
  type: 'object',
  description: 'A support ticket',
  properties: {
    title: { type: 'string', minLength: 5, maxLength: 80 },
    priority: { type: 'integer', minimum: 1, maximum: 5 },
    ratio: { type: 'number', exclusiveMinimum: 0, multipleOf: 0.1 },
    site: { type: 'string', format: 'uri' },
    ref: { type: 'string', format: 'uri-reference' },
    code: { type: 'string', pattern: '^[A-Z]{3}-\\d{4}$' },
    word: { type: 'string', pattern: '\\bfoo\\b' },
    tags: { type: 'array', items: { type: 'string' }, minItems: 3, maxItems: 6 },
    one: { type: 'array', items: { type: 'string' }, minItems: 1 },
    kind: { oneOf: [{ const: 'bug' }, { const: 'feature' }] },
    lang: { type: 'string', default: 'en' },
    owner: { $ref: '#/$defs/person' },
  },
  required: ['title', 'priority'],
  $defs: { person: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: true } },
};

describe('toAnthropicSchema', () => {
  const { schema, localOnly, narrowed } = toAnthropicSchema(SCHEMA);
  const converted = schema.properties as Record<string, JsonSchema>;

  it('meets the Anthropic subset', () => {
    expect(anthropicViolations(schema)).toEqual([]);
  });

  it('keeps required as written (optional properties stay optional)', () => {
    expect(schema.required).toEqual(['title', 'priority']);
    expect(converted.site).toEqual({ type: 'string', format: 'uri' });
  });

  it('removes numeric bounds, lengths and array bounds beyond minItems 0/1, noting them', () => {
    expect(converted.title).toEqual({ type: 'string', description: '{minLength: 5, maxLength: 80}' });
    expect(converted.priority).toEqual({ type: 'integer', description: '{minimum: 1, maximum: 5}' });
    expect(converted.tags).toEqual({ type: 'array', items: { type: 'string' }, minItems: 1, description: '{minItems: 3, maxItems: 6}' });
    expect(converted.one).toEqual({ type: 'array', items: { type: 'string' }, minItems: 1 });
    expect(localOnly).toEqual(
      expect.arrayContaining([
        { path: '#/properties/title', keyword: 'minLength' },
        { path: '#/properties/priority', keyword: 'maximum' },
        { path: '#/properties/ratio', keyword: 'exclusiveMinimum' },
        { path: '#/properties/ratio', keyword: 'multipleOf' },
        { path: '#/properties/ref', keyword: 'format' },
        { path: '#/properties/word', keyword: 'pattern' },
        { path: '#/properties/tags', keyword: 'minItems' },
        { path: '#/properties/tags', keyword: 'maxItems' },
        { path: '#/properties/kind', keyword: 'oneOf' },
      ]),
    );
    expect(localOnly.map((entry) => entry.keyword)).not.toContain('default');
  });

  it('keeps simple patterns, supported formats, const and default', () => {
    expect(converted.code).toEqual({ type: 'string', pattern: '^[A-Z]{3}-\\d{4}$' });
    expect(converted.kind).toEqual({ anyOf: [{ const: 'bug', type: 'string' }, { const: 'feature', type: 'string' }] });
    expect(converted.lang).toEqual({ type: 'string', default: 'en' });
  });

  it('closes every object, noting an explicitly open one', () => {
    expect((schema.$defs as Record<string, JsonSchema>).person).toMatchObject({ additionalProperties: false, required: ['name'] });
    expect(narrowed).toContainEqual(expect.objectContaining({ path: '#/$defs/person', keyword: 'additionalProperties' }));
  });

  it('refuses recursive schemas', () => {
    const recursive = { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#' } } } };
    expect(() => toAnthropicSchema(recursive)).toThrow(SchemaDefinitionError);
    try {
      toAnthropicSchema(recursive);
    } catch (error) {
      expect((error as SchemaDefinitionError).issues[0]).toMatchObject({ code: 'recursive_schema', path: [] });
    }
  });
});

describe('isSimplePattern', () => {
  it('rejects backreferences, lookaround, word boundaries and large counts', () => {
    expect(isSimplePattern('^[a-z]+(-[a-z]+)*$')).toBe(true);
    expect(isSimplePattern('^\\d{2,50}$')).toBe(true);
    expect(isSimplePattern('(a)\\1')).toBe(false);
    expect(isSimplePattern('^(?=.*\\d)')).toBe(false);
    expect(isSimplePattern('(?<!x)y')).toBe(false);
    expect(isSimplePattern('\\bword\\b')).toBe(false);
    expect(isSimplePattern('^a{1,1000}$')).toBe(false);
  });
});

describe('Anthropic request forms', () => {
  const output = { name: 'ticket', jsonSchema: SCHEMA };

  it('output_config carries the converted schema', () => {
    expect(toAnthropicOutputConfig(output)).toEqual({ format: { type: 'json_schema', schema: toAnthropicSchema(SCHEMA).schema } });
  });

  it('the forced tool is strict, named after the output and chosen explicitly', () => {
    const forced = toAnthropicForcedTool(output);
    expect(forced).toEqual({
      tools: [{ name: 'ticket', description: 'A support ticket', input_schema: toAnthropicSchema(SCHEMA).schema, strict: true }],
      tool_choice: { type: 'tool', name: 'ticket', disable_parallel_tool_use: true },
    });
    expect(toAnthropicForcedTool({ name: 'x', jsonSchema: { type: 'object' } }).tools[0].description).toBe('Return the x result.');
  });
});

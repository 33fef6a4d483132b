import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { generateSync } from 'json-schema-faker';
import { describe, expect, it } from 'vitest';
import { toAnthropicForcedTool, toAnthropicOutputConfig, toAnthropicSchema } from '../../src/providers/anthropic/anthropic-output-schema.js';
import { SchemaDefinitionError } from '../../src/schema/errors.js';
import { getAtPath, splitPointer } from '../../src/schema/json-pointer.js';
import type { JsonSchema } from '../../src/schema/json-schema.js';
import { toOpenAIResponseFormat, toOpenAIStrictSchema } from '../../src/providers/openai/openai-output-schema.js';
import { stripNullsForOptional } from '../../src/schema/strip-nulls-for-optional.js';
import { compileOutputSchema, type OutputSchema } from '../../src/schema/output-schema.js';
import { toPromptInstructions } from '../../src/schema/prompt-instructions.js';
import type { LocalOnlyKeyword } from '../../src/schema/schema-grammar.js';
import { anthropicViolations, openAIStrictViolations } from './provider-schema-rules.js';
import { ROUND_TRIP_CASES, type RoundTripCase } from './round-trip-cases.js';

/**
 * For every schema and every provider form: (1) the converted schema obeys that provider's rules;
 * (2) answers generated under the converted schema (json-schema-faker, seeded), once nulls for
 * optional fields are stripped, pass our validator against the ORIGINAL schema with only the
 * `localOnly` keywords relaxed, and pass it outright when nothing but `default` is local-only
 * (through zod's own parse for the zod cases); (3) answers the
 * provider grammar allows but the original forbids are rejected by our validator.
 */
const SEEDS = Array.from({ length: 20 }, (_, index) => index + 1);
type Form = 'openai' | 'anthropic-output' | 'anthropic-tool' | 'prompt';
const FORMS: Form[] = ['openai', 'anthropic-output', 'anthropic-tool', 'prompt'];

type FormatsPlugin = (ajv: Ajv2020) => unknown;
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? addFormatsModule) as unknown as FormatsPlugin;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);

function providerSchemaFor(form: Form, output: OutputSchema): { schema: JsonSchema; localOnly: LocalOnlyKeyword[] } {
  switch (form) {
    case 'openai': {
      const format = toOpenAIResponseFormat(output);
      expect(format.type).toBe('json_schema');
      expect(format.json_schema.strict).toBe(true);
      expect(format.json_schema.name).toBe(output.name);
      return { schema: format.json_schema.schema, localOnly: toOpenAIStrictSchema(output.jsonSchema).localOnly };
    }
    case 'anthropic-output':
      return { schema: toAnthropicOutputConfig(output).format.schema, localOnly: toAnthropicSchema(output.jsonSchema).localOnly };
    case 'anthropic-tool': {
      const forced = toAnthropicForcedTool(output);
      const [tool] = forced.tools;
      expect(tool.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(tool.strict).toBe(true);
      expect(forced.tool_choice).toEqual({ type: 'tool', name: tool.name, disable_parallel_tool_use: true });
      return { schema: tool.input_schema, localOnly: toAnthropicSchema(output.jsonSchema).localOnly };
    }
    case 'prompt': {
      const text = toPromptInstructions(output);
      expect(text).toMatch(/^Reply with a single JSON value that matches this JSON Schema/);
      const block = /```json\n([\s\S]*?)\n```/.exec(text);
      expect(block).not.toBeNull();
      const shown = JSON.parse(block![1]!) as JsonSchema;
      expect(shown).toEqual(output.jsonSchema);
      return { schema: shown, localOnly: [] };
    }
  }
}

function rulesFor(form: Form, schema: JsonSchema): string[] {
  if (form === 'openai') return openAIStrictViolations(schema);
  if (form === 'prompt') return [];
  return anthropicViolations(schema);
}

/** The original schema with each local-only keyword removed where the converter says it was. */
function relax(original: JsonSchema, localOnly: LocalOnlyKeyword[]): JsonSchema {
  const copy = structuredClone(original);
  for (const { path, keyword } of localOnly) {
    const node = getAtPath(copy, splitPointer(path.slice(1))) as Record<string, unknown> | undefined;
    expect(node, `localOnly path ${path} must exist in the original`).toBeTypeOf('object');
    expect(keyword in node!, `${keyword} must be at ${path}`).toBe(true);
    if (keyword === 'oneOf') node!.anyOf = node!.oneOf;
    delete node![keyword];
  }
  return copy;
}

function setAt(target: unknown, path: (string | number)[], value: unknown): void {
  let node = target as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
}

function generate(schema: JsonSchema, seed: number): unknown {
  return generateSync(schema as never, { seed, maxDepth: 6, maxDefaultItems: 3 });
}

function refusal(testCase: RoundTripCase, form: Form): string | undefined {
  const provider = form === 'openai' ? 'openai' : form === 'prompt' ? undefined : 'anthropic';
  return testCase.refusedBy?.find((entry) => entry.form === provider)?.code;
}

describe.each(ROUND_TRIP_CASES)('round trip: $name', (testCase) => {
  const output = compileOutputSchema('round_trip', testCase.schema);

  it.each(FORMS)('%s', (form) => {
    const refusedWith = refusal(testCase, form);
    if (refusedWith !== undefined) {
      const error = (() => {
        try {
          providerSchemaFor(form, output);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(SchemaDefinitionError);
      expect((error as SchemaDefinitionError).issues.map((issue) => issue.code)).toContain(refusedWith);
      return;
    }

    const { schema, localOnly } = providerSchemaFor(form, output);
    expect(rulesFor(form, schema)).toEqual([]);

    // The test's ajv is 2020-12 only; the draft is irrelevant to checking generated data.
    const { $schema: _draft, ...withoutDraft } = schema;
    const providerValidator = ajv.compile(withoutDraft);
    const relaxed = compileOutputSchema('relaxed', relax(output.jsonSchema, localOnly));
    for (const seed of SEEDS) {
      const generated = generate(schema, seed);
      // The generator is our stand-in for the provider's grammar; check it stayed inside the grammar.
      expect(providerValidator(generated), JSON.stringify(providerValidator.errors)).toBe(true);
      const answer = form === 'openai' ? stripNullsForOptional(generated, output.jsonSchema) : generated;
      const againstRelaxed = relaxed.validate(answer);
      expect(againstRelaxed.ok, `seed ${seed}: ${JSON.stringify(answer)} ${JSON.stringify(againstRelaxed)}`).toBe(true);
      // `default` constrains nothing: with only defaults left local, the original must accept every answer.
      if (localOnly.every((entry) => entry.keyword === 'default')) {
        const againstOriginal = output.validate(answer);
        expect(againstOriginal.ok, `seed ${seed}: ${JSON.stringify(answer)} ${JSON.stringify(againstOriginal)}`).toBe(true);
      }
    }

    const provider = form === 'openai' ? 'openai' : 'anthropic';
    for (const looser of (testCase.looser ?? []).filter((entry) => entry.form === provider && form !== 'prompt')) {
      const answer = structuredClone(generate(schema, 1));
      setAt(answer, looser.path, looser.value);
      expect(providerValidator(answer), `the provider grammar allows ${JSON.stringify(looser.value)}`).toBe(true);
      const checked = output.validate(form === 'openai' ? stripNullsForOptional(answer, output.jsonSchema) : answer);
      expect(checked.ok).toBe(false);
      if (!checked.ok) expect(checked.issues).toContainEqual(expect.objectContaining({ path: looser.path, code: looser.code }));
    }
  });
});

describe('round-trip cases', () => {
  it('cover every looser case with a form that is not refused', () => {
    for (const testCase of ROUND_TRIP_CASES) {
      for (const looser of testCase.looser ?? []) {
        expect(testCase.refusedBy?.some((entry) => entry.form === looser.form) ?? false).toBe(false);
      }
    }
  });
});

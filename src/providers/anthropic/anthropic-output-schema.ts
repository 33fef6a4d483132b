import type { JsonSchema } from '../../schema/json-schema.js';
import type { SchemaGrammar, ProviderSchema } from '../../schema/schema-grammar.js';
import { toProviderSchema } from '../../schema/to-provider-schema.js';

/**
 * Anthropic structured outputs: native JSON outputs (`output_config.format`) and strict
 * forced tools share one grammar. It takes `enum`/`const` of primitives, `anyOf`, `allOf` (merged
 * here anyway), `$ref`/`$defs`, `default`, a list of formats, `minItems` 0 or 1 and simple
 * regexes; numeric bounds, string lengths and other array bounds are rejected with a 400, as are
 * recursive schemas. Unlike OpenAI, optional properties stay optional.
 */
export const ANTHROPIC_FORMATS: ReadonlySet<string> = new Set(['date-time', 'time', 'date', 'duration', 'email', 'hostname', 'uri', 'ipv4', 'ipv6', 'uuid']);

/** Quantifier bounds above this count as the "large {n,m}" the grammar compiler refuses. */
const LARGE_QUANTIFIER = 100;

/** No backreferences, lookaround, word boundaries or large counted repetition. */
export function isSimplePattern(pattern: string): boolean {
  if (/\\[1-9]|\\k</.test(pattern)) return false;
  if (/\(\?<?[=!]/.test(pattern)) return false;
  if (/\\[bB]/.test(pattern)) return false;
  for (const match of pattern.matchAll(/\{(\d+)(?:,(\d*))?\}/g)) {
    if (Number(match[1]) > LARGE_QUANTIFIER || (match[2] !== undefined && match[2] !== '' && Number(match[2]) > LARGE_QUANTIFIER)) return false;
  }
  return true;
}

export const ANTHROPIC_PROFILE: SchemaGrammar = {
  label: 'Anthropic structured outputs',
  requireAllProperties: false,
  allowRecursion: false,
  constAsEnum: false,
  keptKeywords: new Set(['default']),
  formats: ANTHROPIC_FORMATS,
  minItemsAtMostOne: true,
  acceptsPattern: isSimplePattern,
};

/** The Anthropic subset of a schema, shared by `output_config` and the forced tool. */
export function toAnthropicSchema(schema: JsonSchema): ProviderSchema {
  return toProviderSchema(schema, ANTHROPIC_PROFILE);
}

/** Native JSON outputs: `params.output_config = toAnthropicOutputConfig(output)`. The JSON arrives as text in `content[0].text`. */
export function toAnthropicOutputConfig(output: { name: string; jsonSchema: JsonSchema }): { format: { type: 'json_schema'; schema: JsonSchema } } {
  return { format: { type: 'json_schema', schema: toAnthropicSchema(output.jsonSchema).schema } };
}

/** A forced, strict tool call: the answer is the `input` of the `tool_use` block (already an object). */
export function toAnthropicForcedTool(output: { name: string; jsonSchema: JsonSchema }): {
  tools: [{ name: string; description: string; input_schema: JsonSchema; strict?: boolean }];
  tool_choice: { type: 'tool'; name: string; disable_parallel_tool_use: true };
} {
  const description = typeof output.jsonSchema.description === 'string' ? output.jsonSchema.description : `Return the ${output.name} result.`;
  return {
    tools: [{ name: output.name, description, input_schema: toAnthropicSchema(output.jsonSchema).schema, strict: true }],
    tool_choice: { type: 'tool', name: output.name, disable_parallel_tool_use: true },
  };
}

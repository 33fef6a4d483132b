/**
 * Gemini structured output: `generationConfig.responseMimeType: 'application/json'` plus
 * `responseJsonSchema`. The API reference for that field lists what it takes: `$id`, `$defs`, `$ref`,
 * `$anchor`, `type`, `format`, `title`, `description`, `enum` (strings and numbers), `items`,
 * `prefixItems`, `minItems`, `maxItems`, `minimum`, `maximum`, `anyOf`, `oneOf` (read as anyOf),
 * `properties`, `additionalProperties`, `required`, and the non-standard `propertyOrdering`. A `$ref`
 * may carry no other keywords, and cycles are only "unrolled to a limited degree", so recursion is
 * refused here (use `structured_output: prompt` for a recursive schema).
 *
 * Everything else is removed from what is sent and enforced by our own validation of each answer
 * against the original schema (GEMINI_LOCAL_ONLY_KEYWORDS). Formats other than date-time are not
 * documented for Gemini, so they stay local too. Optional properties stay optional (unlike OpenAI).
 */
import type { JsonSchema } from '../../schema/json-schema.js';
import type { SchemaGrammar, ProviderSchema } from '../../schema/schema-grammar.js';
import { toProviderSchema } from '../../schema/to-provider-schema.js';

export const GEMINI_FORMATS: ReadonlySet<string> = new Set(['date-time']);

export const GEMINI_JSON_SCHEMA_PROFILE: SchemaGrammar = {
  label: 'Gemini responseJsonSchema',
  requireAllProperties: false,
  allowRecursion: false,
  constAsEnum: true,
  keptKeywords: new Set(['minimum', 'maximum', 'minItems', 'maxItems']),
  formats: GEMINI_FORMATS,
  minItemsAtMostOne: false,
  // `pattern` is not in the documented list: every regex is checked locally.
  acceptsPattern: () => false,
};

/**
 * What `responseJsonSchema` does not carry; our validator checks these against the original schema.
 * (`const` goes out as a one-value `enum` and `allOf` is merged before sending, so neither is lost.)
 */
export const GEMINI_LOCAL_ONLY_KEYWORDS: readonly string[] = [
  'minLength', 'maxLength', 'pattern', 'format (other than date-time)', 'exclusiveMinimum', 'exclusiveMaximum',
  'multipleOf', 'default', 'oneOf (sent as anyOf; "exactly one branch" is checked locally)', 'uniqueItems', 'contains',
  'prefixItems (tuples are sent as arrays of any member)', 'patternProperties', 'propertyNames', 'minProperties',
  'maxProperties', 'dependentRequired', 'dependentSchemas', 'not', 'if/then/else', 'enum/const with object or array values',
];

export function toGeminiSchema(schema: JsonSchema): ProviderSchema {
  return toProviderSchema(schema, GEMINI_JSON_SCHEMA_PROFILE);
}

/** The `generationConfig` fields that ask for JSON matching the step's schema. */
export function toGeminiResponseFormat(output: { jsonSchema: JsonSchema }): { responseMimeType: 'application/json'; responseJsonSchema: JsonSchema } {
  return { responseMimeType: 'application/json', responseJsonSchema: toGeminiSchema(output.jsonSchema).schema };
}

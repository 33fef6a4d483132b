import type { JsonSchema } from './json-schema.js';

/**
 * What one provider's structured-output grammar accepts, as data. The converter in
 * `to-provider-schema.ts` reads a profile; `openai-strict.ts` and `anthropic-output.ts` each define one.
 */
export interface SchemaGrammar {
  /** Used in error messages: "OpenAI strict mode", "Anthropic structured outputs". */
  label: string;
  /** OpenAI: every property listed in `required`; the optional ones become nullable. */
  requireAllProperties: boolean;
  /** Recursive schemas (`$ref: '#'`, a definition that reaches itself). */
  allowRecursion: boolean;
  /** Send `const: x` as `enum: [x]` (OpenAI documents enum, not const). */
  constAsEnum: boolean;
  /** Constraint keywords sent as written. Anything else that constrains is removed and enforced locally. */
  keptKeywords: ReadonlySet<string>;
  /** `format` values sent as written. */
  formats: ReadonlySet<string>;
  /** Anthropic takes only `minItems` 0 or 1: a larger minimum is sent as 1. */
  minItemsAtMostOne: boolean;
  /** Whether a `pattern` regex is one the provider's grammar compiler accepts. */
  acceptsPattern(pattern: string): boolean;
}

/** One keyword removed from the provider schema: our own validation against the original schema enforces it. */
export type LocalOnlyKeyword = { path: string; keyword: string };
/** Where the provider schema is STRICTER than the original (an open object closed, a free value limited to scalars). */
export type NarrowedKeyword = { path: string; keyword: string; note: string };

export interface ProviderSchema {
  schema: JsonSchema;
  /** Keywords removed from what is sent and checked only by our validator; `path` points into the original schema (`#/properties/answer`). */
  localOnly: LocalOnlyKeyword[];
  /** Places where the provider will only produce a subset of what the original allows. */
  narrowed: NarrowedKeyword[];
}

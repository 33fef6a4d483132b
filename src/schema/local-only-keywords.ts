import { ANTHROPIC_FORMATS } from './anthropic-output.js';
import { OPENAI_STRICT_FORMATS } from './openai-strict.js';

/**
 * Which JSON Schema keywords each structured-output form does NOT send to the provider, so only
 * our own validation (against the original schema) enforces them. Kept as data for `synthforge`
 * to print; `to-provider-schema.ts` is what actually applies it, and a test keeps the two in step.
 */
export type StructuredOutputTarget = 'openai-strict' | 'anthropic' | 'prompt';
export type LocalOnlyRule = { keyword: string; when?: string };

const UNSUPPORTED_EVERYWHERE: LocalOnlyRule[] = [
  { keyword: 'oneOf', when: 'sent as anyOf; "exactly one branch" is checked locally' },
  { keyword: 'uniqueItems' },
  { keyword: 'contains' },
  { keyword: 'minContains' },
  { keyword: 'maxContains' },
  { keyword: 'prefixItems', when: 'tuples are sent as an array of any member' },
  { keyword: 'items', when: 'draft-07 tuple form, a list; sent as an array of any member' },
  { keyword: 'additionalItems' },
  { keyword: 'unevaluatedItems' },
  { keyword: 'patternProperties' },
  { keyword: 'propertyNames' },
  { keyword: 'minProperties' },
  { keyword: 'maxProperties' },
  { keyword: 'unevaluatedProperties' },
  { keyword: 'dependentRequired' },
  { keyword: 'dependentSchemas' },
  { keyword: 'dependencies' },
  { keyword: 'not' },
  { keyword: 'if' },
  { keyword: 'then' },
  { keyword: 'else' },
  { keyword: 'enum', when: 'with object or array values' },
  { keyword: 'const', when: 'with an object or array value' },
  { keyword: 'anyOf', when: 'at the root, or when its sibling keywords cannot be pushed into the branches' },
];

export const LOCAL_ONLY_KEYWORDS: Record<StructuredOutputTarget, readonly LocalOnlyRule[]> = {
  'openai-strict': [
    { keyword: 'minLength' },
    { keyword: 'maxLength' },
    { keyword: 'format', when: `other than ${[...OPENAI_STRICT_FORMATS].join(', ')}` },
    { keyword: 'default', when: 'removed from the sent schema; JSON Schema defaults are filled in locally' },
    ...UNSUPPORTED_EVERYWHERE,
  ],
  anthropic: [
    { keyword: 'minimum' },
    { keyword: 'maximum' },
    { keyword: 'exclusiveMinimum' },
    { keyword: 'exclusiveMaximum' },
    { keyword: 'multipleOf' },
    { keyword: 'minLength' },
    { keyword: 'maxLength' },
    { keyword: 'minItems', when: 'above 1; sent as minItems: 1' },
    { keyword: 'maxItems' },
    { keyword: 'pattern', when: 'with backreferences, lookaround, \\b or {n,m} above 100' },
    { keyword: 'format', when: `other than ${[...ANTHROPIC_FORMATS].join(', ')}` },
    ...UNSUPPORTED_EVERYWHERE,
  ],
  prompt: [{ keyword: '*', when: 'the server enforces nothing; every keyword is checked locally' }],
};

export function localOnlyKeywords(target: StructuredOutputTarget): readonly LocalOnlyRule[] {
  return LOCAL_ONLY_KEYWORDS[target];
}

/** One line per keyword, for a CLI note: `minLength`, `format (other than date-time, …)`. */
export function formatLocalOnlyKeywords(target: StructuredOutputTarget): string {
  return LOCAL_ONLY_KEYWORDS[target].map((rule) => (rule.when === undefined ? rule.keyword : `${rule.keyword} (${rule.when})`)).join('\n');
}

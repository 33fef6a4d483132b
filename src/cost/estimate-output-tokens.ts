/**
 * Output-token estimates, from the shape of the structured-output schema. The aim is a realistic
 * expected size, not a bound (the bound is max_tokens, which caps the result):
 *
 *   string            ((minLength + maxLength) / 2) / 4 chars per token, when maxLength is given;
 *                     otherwise max(100, minLength × 1.5 / 4): about a paragraph. `format`: 12.
 *                     Plus 2 for the quotes.
 *   number, integer   3        boolean, null   1        enum, const   the longest value
 *   array             2 + n × (item + 1), n = midpoint of [minItems, maxItems], or max(minItems, 3)
 *   object            2 + Σ over properties (key / 4 + 3 + value): every property, required or not
 *   anyOf, oneOf      the largest branch; allOf: the sum; $ref: resolved inside the schema
 *   no schema         256 (a few paragraphs)
 *
 * 4 characters per token is the usual English average for o200k and cl100k. Reasoning models also
 * bill hidden reasoning tokens as output: `reasoningTokens` if given, else 1,024 when `reasoning` is
 * set (an assumption: medium effort on a short task), 0 otherwise. The caller knows which models
 * reason from the provider's `CostTraits.reasoningModel`.
 */
import type { SchemaObject } from './estimate-tokens.js';

export interface OutputTokenOptions {
  /** The request's max_tokens: the result never exceeds it. */
  maxTokens?: number;
  schema?: SchemaObject;
  /** The model thinks before answering: adds the default reasoning allowance. */
  reasoning?: boolean;
  /** Overrides the reasoning allowance. */
  reasoningTokens?: number;
}

export const DEFAULT_OUTPUT_TOKENS = 256;
export const DEFAULT_REASONING_TOKENS = 1024;
const CHARS_PER_TOKEN = 4;
const STRING_DEFAULT_TOKENS = 100;
const FORMATTED_STRING_TOKENS = 12;
const QUOTE_TOKENS = 2;
const NUMBER_TOKENS = 3;
const LITERAL_TOKENS = 1;
const ARRAY_DEFAULT_ITEMS = 3;
const UNKNOWN_VALUE_TOKENS = 20;
const MAX_DEPTH = 12;

const schemaEstimates = new WeakMap<SchemaObject, number>();

export function estimateOutputTokens(options: OutputTokenOptions = {}): number {
  const answer = options.schema ? estimateSchemaTokens(options.schema) : DEFAULT_OUTPUT_TOKENS;
  const reasoning = options.reasoningTokens ?? (options.reasoning ? DEFAULT_REASONING_TOKENS : 0);
  const total = answer + reasoning;
  return options.maxTokens === undefined ? total : Math.min(total, options.maxTokens);
}

/** The expected size of a JSON value that satisfies `schema`, memoised per schema object. */
export function estimateSchemaTokens(schema: SchemaObject): number {
  let tokens = schemaEstimates.get(schema);
  if (tokens === undefined) {
    tokens = Math.ceil(valueTokens(schema, schema, 0));
    schemaEstimates.set(schema, tokens);
  }
  return tokens;
}

type Node = Record<string, unknown>;

function valueTokens(node: unknown, root: SchemaObject, depth: number): number {
  if (depth > MAX_DEPTH || typeof node !== 'object' || node === null || Array.isArray(node)) return UNKNOWN_VALUE_TOKENS;
  const schema = node as Node;
  const next = (child: unknown): number => valueTokens(child, root, depth + 1);
  if (typeof schema.$ref === 'string') return next(resolveRef(root, schema.$ref));
  if ('const' in schema) return literalTokens(schema.const);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return Math.max(...schema.enum.map(literalTokens));
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches) && branches.length > 0) return Math.max(...branches.map(next));
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) return schema.allOf.map(next).reduce((sum, tokens) => sum + tokens, 0);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? impliedType(schema)];
  return Math.max(...types.map((type) => typeTokens(type, schema, next)));
}

function typeTokens(type: unknown, schema: Node, next: (child: unknown) => number): number {
  switch (type) {
    case 'string':
      return stringTokens(schema);
    case 'number':
    case 'integer':
      return NUMBER_TOKENS;
    case 'boolean':
    case 'null':
      return LITERAL_TOKENS;
    case 'array': {
      const items = schema.items ?? (Array.isArray(schema.prefixItems) ? schema.prefixItems[0] : undefined);
      return 2 + expectedCount(schema) * (next(items) + 1);
    }
    case 'object': {
      const properties = schema.properties;
      if (typeof properties !== 'object' || properties === null) return UNKNOWN_VALUE_TOKENS;
      let tokens = 2;
      for (const [key, value] of Object.entries(properties)) tokens += Math.ceil(key.length / CHARS_PER_TOKEN) + 3 + next(value);
      return tokens;
    }
    default:
      return UNKNOWN_VALUE_TOKENS;
  }
}

function impliedType(schema: Node): string | undefined {
  if ('properties' in schema) return 'object';
  if ('items' in schema || 'prefixItems' in schema) return 'array';
  return undefined;
}

function stringTokens(schema: Node): number {
  if (typeof schema.format === 'string') return FORMATTED_STRING_TOKENS;
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
  const body = max !== undefined ? (min + max) / 2 / CHARS_PER_TOKEN : Math.max(STRING_DEFAULT_TOKENS, (min * 1.5) / CHARS_PER_TOKEN);
  return Math.ceil(body) + QUOTE_TOKENS;
}

function expectedCount(schema: Node): number {
  const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
  const max = typeof schema.maxItems === 'number' ? schema.maxItems : undefined;
  return max !== undefined ? Math.max(min, Math.ceil((min + max) / 2)) : Math.max(min, ARRAY_DEFAULT_ITEMS);
}

function literalTokens(value: unknown): number {
  return Math.max(LITERAL_TOKENS, Math.ceil((JSON.stringify(value) ?? '').length / CHARS_PER_TOKEN));
}

/** Local references only (`#/$defs/x`, `#/definitions/x`); anything else counts as unknown. */
function resolveRef(root: SchemaObject, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const part of ref.slice(1).split('/').filter(Boolean)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Node)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

/** Token counts seen in answers of one step: how many, their sum and the sum of their squares. */
export interface ObservedTokens {
  answers: number;
  sum: number;
  sumOfSquares: number;
}

/** What `requests` more answers of the step will hold, with a 95% interval. */
export interface ObservedEstimate {
  meanPerRequest: number;
  /** Sample standard deviation per answer (0 from a single answer). */
  spreadPerRequest: number;
  total: number;
  low: number;
  high: number;
}

/**
 * The output tokens of `requests` answers, from answers already seen of the same step. The total's
 * interval covers both the spread of single answers (their sum grows with √requests) and the
 * uncertainty of the observed mean (it grows with requests/√answers):
 *
 *   total = R·m,   half-width = 1.96 · s · √(R + R²/n)
 *
 * with m and s the mean and sample standard deviation of n observed answers and R the requests.
 * `maxTokens` caps every answer, as the provider does.
 */
export function estimateFromObserved(observed: ObservedTokens, requests: number, maxTokens?: number): ObservedEstimate {
  const n = Math.max(1, observed.answers);
  const mean = observed.sum / n;
  const variance = n > 1 ? Math.max(0, (observed.sumOfSquares - n * mean * mean) / (n - 1)) : 0;
  const spread = Math.sqrt(variance);
  const perRequest = maxTokens === undefined ? mean : Math.min(mean, maxTokens);
  const total = perRequest * requests;
  const half = 1.96 * spread * Math.sqrt(requests + (requests * requests) / n);
  const cap = maxTokens === undefined ? Infinity : maxTokens * requests;
  return { meanPerRequest: perRequest, spreadPerRequest: spread, total, low: Math.max(0, total - half), high: Math.min(cap, total + half) };
}

/**
 * The request key: the identity of one LLM call. Two calls with the same key are the same call, so a
 * key that has a final response is never sent again (the response cache), and a key is sent at most
 * once per attempt.
 *
 * key = sha256 over canonical JSON of (provider, model, messages, params, schema, structured-output
 * mode, sample index). The sample index is part of it because `n: 3` asks for three different
 * answers to the same prompt. Everything that changes what the provider would return must be in
 * here (a cache that ignores a transform serves stale answers: curator#408); nothing else may be
 * (a run id or timestamp would defeat the cache).
 */
import { createHash } from 'node:crypto';
import type { ChatMessage, ModelRef } from '../domain.js';
import type { ModelParams, StructuredOutputMode } from '../providers/batch-provider.js';
import type { JsonSchema } from '../schema/json-schema.js';

export const REQUEST_KEY_VERSION = 1;

export interface RequestIdentity {
  modelRef: ModelRef;
  /** Only for openai-compatible servers: the same model name on two servers is two models. */
  baseUrl?: string;
  messages: ChatMessage[];
  params: ModelParams;
  /** `schemaFingerprint(schema)`: computed once per step, not per request. */
  schemaFingerprint: string;
  outputMode: StructuredOutputMode;
  sampleIndex: number;
}

/** sha256 of the schema's canonical JSON: the schema's part of every request key of a step. */
export function schemaFingerprint(schema: JsonSchema | Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(schema)).digest('hex');
}

export function requestKey(identity: RequestIdentity): string {
  const canonical = canonicalJson({
    v: REQUEST_KEY_VERSION,
    provider: identity.modelRef.provider,
    model: identity.modelRef.model,
    baseUrl: identity.baseUrl ?? null,
    messages: identity.messages,
    params: identity.params,
    schema: identity.schemaFingerprint,
    outputMode: identity.outputMode,
    sample: identity.sampleIndex,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * The provider-facing id of a request: `r` + 40 hex digits of the key, which satisfies Anthropic's
 * `^[a-zA-Z0-9_-]{1,64}$` and stays unique (160 bits) within any batch. The store maps it back.
 */
export function customIdFor(key: string): string {
  return `r${key.slice(0, 40)}`;
}

/** JSON with object keys sorted at every depth, so equal values always hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, item]) => [key, sortKeys(item)]));
  }
  return value;
}

/**
 * The request key: the identity of one LLM call. Two calls with the same key are the same call, so a
 * key that has a final response is never sent again (the response cache), and a key is sent at most
 * once per attempt.
 *
 * key = sha256 over canonical JSON of the step's part (key version, provider, model, base URL,
 * params, schema fingerprint, structured-output mode), then of the request's messages, then its
 * sample index. The sample index is part of it because `n: 3` asks for three different answers to
 * the same prompt. Everything that changes what the provider would return must be in here (a cache
 * that ignores a transform of the prompt serves answers to a prompt that is no longer sent); nothing
 * else may be (a run id or timestamp would defeat the cache).
 *
 * The step's part is the same for every request of a step, so `StepKeys` serialises it once and each
 * request adds only its messages and sample index. The three parts cannot run into each other: the
 * first two are JSON values that end where their brackets close, the last is a bare integer.
 */
import * as crypto from 'node:crypto';
import type { ChatMessage, ModelRef } from '../domain.js';
import { messageTextJson } from '../prompt/message-text-json.js';
import type { ModelParams, StructuredOutputMode } from '../providers/batch-provider.js';
import type { JsonSchema } from '../schema/json-schema.js';

/** 2: the step's part is hashed ahead of the messages instead of inside one JSON object. */
export const REQUEST_KEY_VERSION = 2;

/** What every request of a step shares. */
export interface StepIdentity {
  modelRef: ModelRef;
  /** Only for openai-compatible servers: the same model name on two servers is two models. */
  baseUrl?: string;
  params: ModelParams;
  /** `schemaFingerprint(schema)`: computed once per step, not per request. */
  schemaFingerprint: string;
  outputMode: StructuredOutputMode;
}

export interface RequestIdentity extends StepIdentity {
  messages: readonly ChatMessage[];
  sampleIndex: number;
}

/** sha256 of the schema's canonical JSON: the schema's part of every request key of a step. */
export function schemaFingerprint(schema: JsonSchema | Record<string, unknown>): string {
  return sha256Hex(canonicalJson(schema));
}

/** The keys of one step's requests, with the step's part serialised once. */
export class StepKeys {
  private readonly prefix: string;

  constructor(step: StepIdentity) {
    this.prefix = canonicalJson({
      v: REQUEST_KEY_VERSION,
      provider: step.modelRef.provider,
      model: step.modelRef.model,
      baseUrl: step.baseUrl ?? null,
      params: step.params,
      schema: step.schemaFingerprint,
      outputMode: step.outputMode,
    });
  }

  /** The messages' part of a key: serialise once, then call `key` for each sample index. */
  messagesPart(messages: readonly ChatMessage[]): string {
    return canonicalMessages(messages);
  }

  key(messagesPart: string, sampleIndex: number): string {
    return sha256Hex(this.prefix + messagesPart + String(sampleIndex));
  }
}

export function requestKey(identity: RequestIdentity): string {
  const keys = new StepKeys(identity);
  return keys.key(keys.messagesPart(identity.messages), identity.sampleIndex);
}

/**
 * Hex sha256 of a string. The one-shot `crypto.hash` (Node 20.12 and later) takes about half the time
 * of a Hash object for a request's few hundred bytes; older Node 20 releases, which the engines
 * field still admits, lack it.
 */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** JSON with object keys sorted at every depth, so equal values always hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/**
 * `canonicalJson(messages)` without building sorted copies: a plain `{ role, content }` message is
 * written directly with its keys in sorted order; anything else goes through `canonicalJson`.
 */
function canonicalMessages(messages: readonly ChatMessage[]): string {
  let text = '[';
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index]!;
    if (index > 0) text += ',';
    text += isPlainMessage(message) ? `{"content":${messageTextJson(message.content)},"role":${JSON.stringify(message.role)}}` : canonicalJson(message);
  }
  return `${text}]`;
}

function isPlainMessage(message: ChatMessage): boolean {
  if (typeof message.content !== 'string' || typeof message.role !== 'string') return false;
  let keys = 0;
  for (const name in message) {
    if (name !== 'role' && name !== 'content') return false;
    keys++;
  }
  return keys === 2 && Object.getPrototypeOf(message) === Object.prototype;
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

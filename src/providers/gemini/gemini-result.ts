/**
 * One Gemini batch result → a provider-neutral result. A responses-file line is
 * `{"key", "response": GenerateContentResponse | {embedding}}` or `{"key", "error": google.rpc.Status}`
 * (some clients report `status` instead of `error`: both are read); an inline response carries its key
 * in `metadata.key`. A SUCCEEDED job can still hold such per-line errors; one that refused the key
 * (UNAUTHENTICATED, PERMISSION_DENIED, HTTP 401/403) gets the code PROVIDER_AUTH_CODE.
 *
 * Finish reasons are Gemini's enum words lowercased (`STOP` → `stop`, `MAX_TOKENS` → `max_tokens`) so
 * the engine's truncation check applies unchanged; safety-type stops also set `refusal`.
 */
import type { TokenUsage } from '../../domain.js';
import { isObject, resultLineObject, type ConvertedLine } from '../result-line.js';
import { isAuthStatus, PROVIDER_AUTH_CODE } from '../errors.js';

/** google.rpc.Status as it appears in batch output: `code` is the gRPC code, sometimes the HTTP status. */
export interface GeminiStatus {
  code?: number;
  message?: string;
  status?: string;
}

export interface GeminiResultEntry {
  response?: unknown;
  error?: GeminiStatus;
  status?: GeminiStatus;
}

const GRPC_NAMES: Readonly<Record<number, { name: string; http: number }>> = {
  1: { name: 'CANCELLED', http: 499 },
  2: { name: 'UNKNOWN', http: 500 },
  3: { name: 'INVALID_ARGUMENT', http: 400 },
  4: { name: 'DEADLINE_EXCEEDED', http: 504 },
  5: { name: 'NOT_FOUND', http: 404 },
  6: { name: 'ALREADY_EXISTS', http: 409 },
  7: { name: 'PERMISSION_DENIED', http: 403 },
  8: { name: 'RESOURCE_EXHAUSTED', http: 429 },
  9: { name: 'FAILED_PRECONDITION', http: 400 },
  10: { name: 'ABORTED', http: 409 },
  11: { name: 'OUT_OF_RANGE', http: 400 },
  12: { name: 'UNIMPLEMENTED', http: 501 },
  13: { name: 'INTERNAL', http: 500 },
  14: { name: 'UNAVAILABLE', http: 503 },
  15: { name: 'DATA_LOSS', http: 500 },
  16: { name: 'UNAUTHENTICATED', http: 401 },
};

/** The request itself is wrong: sending it again gives the same error. */
const NON_RETRYABLE = new Set([
  'INVALID_ARGUMENT', 'FAILED_PRECONDITION', 'OUT_OF_RANGE', 'NOT_FOUND', 'PERMISSION_DENIED', 'UNAUTHENTICATED', 'UNIMPLEMENTED', 'ALREADY_EXISTS',
]);

/** Stops where the model declined to answer (content policy), as opposed to running out of tokens. */
const REFUSAL_REASONS = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'LANGUAGE']);


export function convertGeminiResultLine(text: string): ConvertedLine {
  const line = resultLineObject(text);
  if ('malformed' in line) return line;
  const { json } = line;
  const key = typeof json.key === 'string' ? json.key : undefined;
  if (key === undefined) return { malformed: 'result line has no key' };
  try {
    return convertGeminiEntry(key, json as GeminiResultEntry);
  } catch {
    // A response of a shape the conversion does not expect (a part that is null, parts not a list):
    // malformed, as on every provider, rather than a failed collect.
    return { customId: key, malformed: 'response has an unexpected shape' };
  }
}

export function convertGeminiEntry(customId: string, entry: GeminiResultEntry): ConvertedLine {
  const error = entry.error ?? (isObject(entry.status) ? entry.status : undefined);
  if (error && !entry.response) {
    const described = describeStatus(error);
    if (!isAuthStatus(described.status)) return { customId, outcome: 'errored', error: described };
    return { customId, outcome: 'errored', error: { ...described, code: PROVIDER_AUTH_CODE, message: `${described.code}: ${described.message}` } };
  }
  if (!isObject(entry.response)) return { customId, malformed: 'result has neither response nor error' };
  if ('embedding' in entry.response) return convertEmbedding(customId, entry.response);
  return convertGenerateResponse(customId, entry.response);
}

export function describeStatus(error: GeminiStatus): { code: string; message: string; status?: number; retryable: boolean } {
  const numeric = typeof error.code === 'number' ? error.code : undefined;
  const grpc = numeric !== undefined && numeric < 100 ? GRPC_NAMES[numeric] : undefined;
  const name = error.status ?? grpc?.name ?? (numeric !== undefined ? `http_${numeric}` : 'UNKNOWN');
  const http = grpc?.http ?? (numeric !== undefined && numeric >= 100 ? numeric : undefined);
  const retryable = !NON_RETRYABLE.has(name) && !(http !== undefined && http >= 400 && http < 500 && http !== 408 && http !== 429 && http !== 409);
  return { code: name, message: error.message ?? name, ...(http !== undefined ? { status: http } : {}), retryable };
}

function convertEmbedding(customId: string, response: Record<string, unknown>): ConvertedLine {
  const embedding = response.embedding;
  const values = isObject(embedding) ? embedding.values : undefined;
  if (!Array.isArray(values) || !values.every((value) => typeof value === 'number' && Number.isFinite(value))) {
    return { customId, malformed: 'embedding response has no numeric values' };
  }
  const tokens = Number(response.tokenCount);
  return {
    customId,
    outcome: 'succeeded',
    text: '',
    vector: values as number[],
    ...(Number.isFinite(tokens) && response.tokenCount !== undefined ? { usage: { inputTokens: tokens, outputTokens: 0 } } : {}),
  };
}

interface Candidate {
  content?: { parts?: { text?: string; thought?: boolean }[] };
  finishReason?: string;
}

function convertGenerateResponse(customId: string, response: Record<string, unknown>): ConvertedLine {
  const usage = convertUsage(response.usageMetadata);
  const model = typeof response.modelVersion === 'string' ? response.modelVersion : undefined;
  const candidates = Array.isArray(response.candidates) ? (response.candidates as Candidate[]) : [];
  const candidate = candidates[0];
  if (!candidate) {
    // The prompt itself was blocked: no candidate, the reason in promptFeedback.
    const feedback = isObject(response.promptFeedback) ? response.promptFeedback : {};
    const reason = typeof feedback.blockReason === 'string' ? feedback.blockReason : undefined;
    if (!reason) return { customId, malformed: 'response has no candidates' };
    return { customId, outcome: 'succeeded', text: '', finishReason: reason.toLowerCase(), refusal: `prompt blocked: ${reason}`, ...(usage ? { usage } : {}), ...(model ? { model } : {}) };
  }
  // Thought summaries (thought: true) are not part of the answer.
  const text = (candidate.content?.parts ?? []).filter((part) => !part.thought).map((part) => part.text ?? '').join('');
  const reason = candidate.finishReason;
  return {
    customId,
    outcome: 'succeeded',
    text,
    ...(reason ? { finishReason: reason.toLowerCase() } : {}),
    ...(reason && REFUSAL_REASONS.has(reason) ? { refusal: text || `stopped by ${reason}` } : {}),
    ...(usage ? { usage } : {}),
    ...(model ? { model } : {}),
  };
}

/** promptTokenCount already includes cached tokens; thinking tokens are billed as output. */
function convertUsage(metadata: unknown): TokenUsage | undefined {
  if (!isObject(metadata)) return undefined;
  const count = (key: string): number => (typeof metadata[key] === 'number' ? (metadata[key] as number) : 0);
  return {
    inputTokens: count('promptTokenCount'),
    outputTokens: count('candidatesTokenCount') + count('thoughtsTokenCount'),
    cachedInputTokens: count('cachedContentTokenCount'),
  };
}


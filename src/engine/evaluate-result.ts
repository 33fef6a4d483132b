/**
 * Decides what one provider result is worth: a valid sample, or an invalid one with a reason that
 * the summary counts (not JSON, schema violation with the failing path, refusal, truncation,
 * provider error, expired). Bad model output is data here, never an exception.
 */
import type { BatchItemResult, StructuredOutputMode } from '../providers/batch-provider.js';
import type { ResponseOutcome } from '../store/run-store.js';
import { extractJson } from '../schema/extract-json.js';
import { formatIssues } from '../issues.js';
import { stripNullsForOptional } from '../schema/openai-strict.js';
import type { OutputSchema } from '../schema/output-schema.js';

export interface Evaluation {
  outcome: ResponseOutcome;
  /** Human-readable detail for invalid outcomes (`answer: expected string, got null`). */
  reason?: string;
  value?: Record<string, unknown>;
  /** Whether sending the same request again may give a better result. */
  retryable: boolean;
}

const TRUNCATION_REASONS = new Set(['length', 'max_tokens']);
const EXCERPT_CHARS = 400;

export function evaluateResult(result: BatchItemResult, schema: OutputSchema, context: { provider: string; mode: StructuredOutputMode }): Evaluation {
  switch (result.outcome) {
    case 'expired':
      return { outcome: 'expired', reason: 'the batch expired before this request ran', retryable: true };
    case 'canceled':
      return { outcome: 'canceled', reason: 'the batch was cancelled before this request ran', retryable: true };
    case 'errored':
      return { outcome: 'provider_error', reason: `${result.error.code}: ${result.error.message}`.slice(0, EXCERPT_CHARS), retryable: result.error.retryable };
    case 'succeeded':
      return result.vector ? evaluateVector(result.vector, schema) : evaluateText(result, schema, context);
  }
}

/** An embedding: the vector becomes the step's one field (checked, e.g. for the asked dimensions). */
function evaluateVector(vector: number[], schema: OutputSchema): Evaluation {
  const field = Object.keys((schema.jsonSchema.properties ?? {}) as object)[0] ?? 'embedding';
  const checked = schema.validate({ [field]: vector });
  if (!checked.ok) return { outcome: 'schema_violation', reason: formatIssues(checked.issues), retryable: true };
  return { outcome: 'valid', value: { [field]: vector }, retryable: false };
}

function evaluateText(
  result: Extract<BatchItemResult, { outcome: 'succeeded' }>,
  schema: OutputSchema,
  context: { provider: string; mode: StructuredOutputMode },
): Evaluation {
  if (result.refusal || result.finishReason === 'refusal') {
    return { outcome: 'refusal', reason: `model refused: ${(result.refusal ?? '').slice(0, 200)}`, retryable: true };
  }
  const truncated = result.finishReason !== undefined && TRUNCATION_REASONS.has(result.finishReason);
  const extracted = extractJson(result.text, { preferObject: true });
  if (!extracted.ok) {
    if (truncated) return { outcome: 'truncated', reason: `output cut off at the token limit (${result.finishReason})`, retryable: true };
    return { outcome: 'not_json', reason: `${extracted.message}: ${excerpt(result.text)}`, retryable: true };
  }
  // OpenAI's strict mode makes every property required and sends null for the optional ones it
  // would have left out; turn those back into absent keys before checking the user's schema.
  const strict = context.mode === 'native' && (context.provider === 'openai' || context.provider === 'openai-compatible');
  const value = strict ? stripNullsForOptional(extracted.value, schema.jsonSchema) : extracted.value;
  const checked = schema.validate(value);
  if (!checked.ok) {
    return { outcome: truncated ? 'truncated' : 'schema_violation', reason: formatIssues(checked.issues), retryable: true };
  }
  if (typeof checked.value !== 'object' || checked.value === null || Array.isArray(checked.value)) {
    return { outcome: 'schema_violation', reason: '(root): expected an object', retryable: true };
  }
  return { outcome: 'valid', value: checked.value as Record<string, unknown>, retryable: false };
}

export function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
}

export { EXCERPT_CHARS };

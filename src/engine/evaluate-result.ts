/**
 * Decides what one provider result is worth: a valid sample, or an invalid one with a reason that
 * the summary counts (not JSON, schema violation with the failing path, refusal, truncation,
 * provider error, expired). Bad model output is data here, never an exception.
 */
import type { BatchItemResult, ProviderCapabilities, StructuredOutputMode } from '../providers/batch-provider.js';
import type { ResponseOutcome } from '../store/store-schema.js';
import { formatIssues, type Issue } from '../issues.js';
import type { OutputSchema } from '../schema/output-schema.js';
import { parseModelOutput } from '../schema/parse-output.js';

export interface Evaluation {
  outcome: ResponseOutcome;
  /** Human-readable detail for invalid outcomes (`answer: expected string, got null`). */
  reason?: string;
  value?: Record<string, unknown>;
  /** `JSON.stringify(value)` where the answer's text already was it (schema/canonical-json.ts); absent: stringify the value. */
  json?: string;
  /** What the validator found, with paths (not JSON: one issue at the root), for the repair turn (engine/repair-evidence.ts). */
  issues?: Issue[];
  /** Whether sending the same request again may give a better result. */
  retryable: boolean;
}

const TRUNCATION_REASONS = new Set(['length', 'max_tokens']);
/** How much of a provider's error message, or of an invalid answer's text, is kept with its response. */
export const EXCERPT_CHARS = 400;

export interface EvaluationContext {
  /** The provider that answered: it knows how its structured-output form changed the answer (a worker thread has only this function). */
  capabilities: Pick<ProviderCapabilities, 'normalizeAnswer'>;
  mode: StructuredOutputMode;
}

export function evaluateResult(result: BatchItemResult, schema: OutputSchema, context: EvaluationContext): Evaluation {
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

function evaluateText(result: Extract<BatchItemResult, { outcome: 'succeeded' }>, schema: OutputSchema, context: EvaluationContext): Evaluation {
  if (result.refusal || result.finishReason === 'refusal') {
    return { outcome: 'refusal', reason: `model refused: ${(result.refusal ?? '').slice(0, 200)}`, retryable: true };
  }
  const truncated = result.finishReason !== undefined && TRUNCATION_REASONS.has(result.finishReason);
  const { capabilities, mode } = context;
  const parsed = parseModelOutput(result.text, schema, { normalize: (value) => capabilities.normalizeAnswer(value, schema.jsonSchema, mode), withJson: true });
  if (parsed.ok) return { outcome: 'valid', value: parsed.value, ...(parsed.json !== undefined ? { json: parsed.json } : {}), retryable: false };
  if (parsed.reason === 'not_json') {
    if (truncated) return { outcome: 'truncated', reason: `output cut off at the token limit (${result.finishReason})`, retryable: true };
    return { outcome: 'not_json', reason: `${parsed.message}: ${excerpt(result.text)}`, issues: [{ code: 'not_json', path: [], message: parsed.message }], retryable: true };
  }
  return { outcome: truncated ? 'truncated' : 'schema_violation', reason: parsed.message, ...(parsed.issues ? { issues: parsed.issues } : {}), retryable: true };
}

export function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
}


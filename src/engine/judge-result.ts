/**
 * What collecting writes for one result joined to its shard line: the valid answer's JSON, or the
 * line of the shard's invalid file, with what the bookkeeping needs. One function for both ways of
 * collecting (in the calling thread, or on collect-worker.ts's threads), so their files cannot differ.
 */
import type { TokenUsage } from '../domain.js';
import type { BatchItemResult, ProviderErrorInfo } from '../providers/batch-provider.js';
import { PROVIDER_AUTH_CODE } from '../providers/errors.js';
import type { OutputSchema } from '../schema/output-schema.js';
import type { ResponseOutcome } from '../store/response-outcomes.js';
import { EXCERPT_CHARS, evaluateResult, type EvaluationContext } from './evaluate-result.js';
import { repairEvidenceOf } from './repair-evidence.js';

export interface Verdict {
  outcome: ResponseOutcome;
  /** Invalid: whether the request may be sent again. */
  retryable: boolean;
  /** Set when the provider refused the key for this line: the run stops once the shard is collected. */
  authError?: ProviderErrorInfo;
  usage?: TokenUsage;
  /** Valid: the answer's JSON (a line of the answers file); otherwise the invalid file's line. */
  text: string;
}

export function judgeResult(result: BatchItemResult, line: number, schema: OutputSchema, context: EvaluationContext): Verdict {
  const usage = 'usage' in result ? result.usage : undefined;
  const evaluation = evaluateResult(result, schema, context);
  if (evaluation.outcome === 'valid') {
    return { outcome: 'valid', retryable: false, ...(usage ? { usage } : {}), text: evaluation.json ?? JSON.stringify(evaluation.value) };
  }
  // A line refused for the key ran nothing: it is sent again once the key is fixed and the run resumed.
  const authRefused = result.outcome === 'errored' && result.error.code === PROVIDER_AUTH_CODE;
  const text = JSON.stringify({
    line,
    outcome: evaluation.outcome,
    ...(evaluation.reason ? { reason: evaluation.reason } : {}),
    ...(result.outcome === 'succeeded' ? { excerpt: result.text.slice(0, EXCERPT_CHARS) } : {}),
    ...(usage ? { usage } : {}),
    ...repairEvidenceOf(evaluation, result), // repair hook: the answer and its findings, for the next round's repair turn
  });
  return {
    outcome: evaluation.outcome,
    retryable: evaluation.retryable || authRefused,
    ...(authRefused ? { authError: result.error } : {}),
    ...(usage ? { usage } : {}),
    text,
  };
}

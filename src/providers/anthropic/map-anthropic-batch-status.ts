import type { BatchState, RequestCounts } from '../batch-provider.js';

/**
 * Anthropic `processing_status` → our state. `canceling` is still running (in-flight requests may
 * finish and are billed); only `ended` has results. Unknown words stay `running`.
 */
export function mapAnthropicBatchStatus(status: string): BatchState {
  return status === 'ended' ? 'ended' : 'running';
}

/** Anthropic's five counts always sum to the batch size; everything but `processing` is 0 until ended. */
export function mapAnthropicCounts(counts: { processing: number; succeeded: number; errored: number; canceled: number; expired: number }): RequestCounts {
  return {
    total: counts.processing + counts.succeeded + counts.errored + counts.canceled + counts.expired,
    completed: counts.succeeded,
    failed: counts.errored + counts.canceled + counts.expired,
  };
}

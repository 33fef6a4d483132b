import type { BatchState } from '../batch-provider.js';

/**
 * OpenAI batch status → our state. Terminal statuses with results (completed, expired, cancelled)
 * are `ended`: an expired or cancelled batch still has billed results in its output file, and
 * treating it as a failure throws paid work away (curator#226). Unknown words stay `running` so
 * results are never fetched early.
 */
export function mapOpenAIBatchStatus(status: string): BatchState {
  switch (status) {
    case 'completed':
    case 'expired':
    case 'cancelled':
      return 'ended';
    case 'failed':
      return 'failed';
    default:
      return 'running';
  }
}

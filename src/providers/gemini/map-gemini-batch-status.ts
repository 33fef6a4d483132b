import type { BatchState, RequestCounts } from '../batch-provider.js';

/**
 * Gemini job state → our state. The REST API says `BATCH_STATE_*` in `metadata.state`, the SDK
 * rewrites it to `JOB_STATE_*`; both are read. SUCCEEDED, CANCELLED and EXPIRED all end with whatever
 * results exist (a job still pending or running after 48 h expires, possibly with partial output);
 * only FAILED means the job was rejected as a whole. Unknown words stay `running`.
 */
export function mapGeminiBatchState(state: string | undefined): BatchState {
  switch ((state ?? '').replace(/^(BATCH|JOB)_STATE_/, '')) {
    case 'SUCCEEDED':
    case 'CANCELLED':
    case 'EXPIRED':
      return 'ended';
    case 'FAILED':
      return 'failed';
    default:
      return 'running';
  }
}

/**
 * `metadata.batchStats`: int64 counts, so proto JSON sends them as strings and leaves out zeros.
 * Undefined when the job has no stats yet.
 */
export function mapGeminiBatchStats(stats: unknown): RequestCounts | undefined {
  if (typeof stats !== 'object' || stats === null) return undefined;
  const read = (key: string): number => {
    const value = Number((stats as Record<string, unknown>)[key] ?? 0);
    return Number.isFinite(value) ? value : 0;
  };
  return { total: read('requestCount'), completed: read('successfulRequestCount'), failed: read('failedRequestCount') };
}

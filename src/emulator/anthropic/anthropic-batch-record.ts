/**
 * What the Anthropic routes and jobs add to the core context (their batches by id), and an Anthropic message
 * batch as stored, its status at an instant, and its wire form.
 *
 * Computed from the clock at each read. C = creation, P/F from the timing snapshot:
 *   in_progress  until runEnd = max(C + P, all requests answered); then ended (expired batches end too,
 *                with about half their requests `expired`)
 *   canceling    from the cancel call X for F (and until requests are answered), then ended; requests that
 *                had not run by X (share (X - C) / P) are `canceled`
 * request_counts show only `processing` until the batch has ended: there is no live progress.
 */
import type { EmulatorContext } from '../core/emulator-context.js';
import type { FaultOptions } from '../core/emulator-options.js';
import type { FaultTally } from '../core/emulator-stats.js';
import type { BatchFault } from '../core/fault-decisions.js';

export interface AnthropicContext extends EmulatorContext {
  anthropicBatches: Map<string, AnthropicBatchRecord>;
}

export interface AnthropicResultCounts {
  succeeded: number;
  errored: number;
  canceled: number;
  expired: number;
}

export interface AnthropicBatchRecord {
  id: string;
  sequence: number;
  createdAtMs: number;
  faults: FaultOptions;
  /** The create call's credentials, quoted by failed lines under the `echoCredentials` fault. */
  credentials?: string;
  requestCount: number;
  run: { doneAtMs: number; batchFault: BatchFault; batchKey: string } | null;
  cancelRequestedAtMs: number | null;
  final: { counts: AnthropicResultCounts; faults: FaultTally } | null;
  jobError: string | null;
}

export interface AnthropicBatchPhase {
  status: 'in_progress' | 'canceling' | 'ended';
  endedAt: number | null;
  /** Share of requests that ran before a cancel. */
  progress: number;
}

const DAY_MS = 24 * 3600 * 1000;

export function anthropicBatchPhase(record: AnthropicBatchRecord, now: number): AnthropicBatchPhase {
  const { inProgressMs, finalizingMs } = record.faults.timing;
  const created = record.createdAtMs;
  const cancelAt = record.cancelRequestedAtMs;
  const runEnd = record.run ? Math.max(created + inProgressMs, record.run.doneAtMs) : Infinity;
  if (cancelAt !== null && cancelAt < runEnd) {
    const end = Math.max(cancelAt + finalizingMs, record.run?.doneAtMs ?? Infinity);
    const progress = inProgressMs === 0 ? 1 : Math.min(1, Math.max(0, (cancelAt - created) / inProgressMs));
    return now < end ? { status: 'canceling', endedAt: null, progress } : { status: 'ended', endedAt: end, progress };
  }
  if (now < runEnd) return { status: 'in_progress', endedAt: null, progress: 0 };
  return { status: 'ended', endedAt: runEnd, progress: 1 };
}

export function resultsUrl(baseUrl: string, id: string): string {
  return `${baseUrl}/v1/messages/batches/${id}/results`;
}

/**
 * `baseUrl` is how the caller reached us (from its Host header), so the SDK can fetch `results_url`. Callers
 * finish an ended batch before rendering it, so `final` is set whenever the status is `ended`.
 */
export function renderAnthropicBatch(record: AnthropicBatchRecord, phase: AnthropicBatchPhase, baseUrl: string): Record<string, unknown> {
  const ended = phase.status === 'ended';
  const counts = ended && record.final
    ? { processing: 0, ...record.final.counts }
    : { processing: record.requestCount, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
  return {
    id: record.id,
    type: 'message_batch',
    processing_status: phase.status,
    request_counts: counts,
    ended_at: ended && phase.endedAt !== null ? new Date(phase.endedAt).toISOString() : null,
    created_at: new Date(record.createdAtMs).toISOString(),
    expires_at: new Date(record.createdAtMs + DAY_MS).toISOString(),
    archived_at: null,
    cancel_initiated_at: record.cancelRequestedAtMs === null ? null : new Date(record.cancelRequestedAtMs).toISOString(),
    results_url: ended ? resultsUrl(baseUrl, record.id) : null,
  };
}

/**
 * An OpenAI batch as stored, its status at a given instant, and its wire form.
 *
 * No timers: the status is computed from the clock at each read. Let C = creation, V/P/F the timing snapshot.
 *   validating   until validEnd = max(C + V, input scanned)
 *   failed       at validEnd when the scan found errors (or the fail-validation fault fired)
 *   in_progress  until runEnd = max(validEnd + P, all lines answered); counts grow linearly over P
 *   expired      at runEnd for a batch with the expire fault (no finalizing: the live API does not document
 *                whether an expiring batch finalizes)
 *   finalizing   until runEnd + F, then completed
 *   cancelling   from the cancel call X for F (and until the lines are answered), then cancelled; the share of
 *                lines that ran is the in_progress progress at X.
 */
import type { FaultOptions } from '../core/emulator-options.js';
import type { FaultTally } from '../core/emulator-stats.js';
import type { BatchFault } from '../core/fault-decisions.js';

export interface BatchErrorEntry {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

export interface OpenAIBatchRecord {
  id: string;
  sequence: number;
  endpoint: string;
  inputFileId: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
  outputExpiresAfterSeconds: number | null;
  createdAtMs: number;
  /** Fault options as they were at creation (the job and the clock use these). */
  faults: FaultOptions;
  /** The create call's credentials, quoted by failed lines under the `echoCredentials` fault. */
  credentials?: string;
  scan: {
    doneAtMs: number;
    total: number;
    model: string | null;
    errors: BatchErrorEntry[];
    batchFault: BatchFault;
    batchKey: string;
    /** Prompt tokens the batch holds in its model's queue while not ended (absent in records from before queue limits). */
    enqueuedTokens?: number;
  } | null;
  run: { doneAtMs: number; ok: number; failed: number } | null;
  cancelRequestedAtMs: number | null;
  final: {
    outputFileId: string | null;
    errorFileId: string | null;
    total: number;
    completed: number;
    failed: number;
    inputTokens: number;
    outputTokens: number;
    faults: FaultTally;
  } | null;
  /** Set when the job crashed; reads then answer 500 with this message. */
  jobError: string | null;
}

export type OpenAIBatchStatus =
  | 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

export interface OpenAIBatchPhase {
  status: OpenAIBatchStatus;
  inProgressAt: number | null;
  finalizingAt: number | null;
  completedAt: number | null;
  failedAt: number | null;
  expiredAt: number | null;
  cancellingAt: number | null;
  cancelledAt: number | null;
  /** Share of lines answered so far (in_progress) or that ran before a cancel (cancelling/cancelled). */
  progress: number;
  /** True for completed/expired/cancelled: the output and error files must exist before answering. */
  needsFiles: boolean;
}

const clamp01 = (value: number): number => Math.min(1, Math.max(0, value));

export function openAIBatchPhase(record: OpenAIBatchRecord, now: number): OpenAIBatchPhase {
  const { validatingMs, inProgressMs, finalizingMs } = record.faults.timing;
  const phase: OpenAIBatchPhase = {
    status: 'validating',
    inProgressAt: null,
    finalizingAt: null,
    completedAt: null,
    failedAt: null,
    expiredAt: null,
    cancellingAt: null,
    cancelledAt: null,
    progress: 0,
    needsFiles: false,
  };
  const cancelAt = record.cancelRequestedAtMs;
  const validEnd = record.scan ? Math.max(record.createdAtMs + validatingMs, record.scan.doneAtMs) : Infinity;
  if (cancelAt !== null && cancelAt < validEnd) {
    return finishCancel(phase, cancelAt, cancelAt + finalizingMs, now);
  }
  if (now < validEnd || !record.scan) return phase;
  if (record.scan.errors.length > 0) return { ...phase, status: 'failed', failedAt: validEnd };
  phase.inProgressAt = validEnd;
  const runEnd = record.run ? Math.max(validEnd + inProgressMs, record.run.doneAtMs) : Infinity;
  const progressAt = (instant: number): number => (inProgressMs === 0 ? 1 : clamp01((instant - validEnd) / inProgressMs));
  if (cancelAt !== null) {
    if (cancelAt >= runEnd) phase.finalizingAt = runEnd;
    phase.progress = progressAt(cancelAt);
    return finishCancel(phase, cancelAt, Math.max(cancelAt + finalizingMs, record.run?.doneAtMs ?? Infinity), now);
  }
  if (now < runEnd) return { ...phase, status: 'in_progress', progress: progressAt(now) };
  if (record.scan.batchFault === 'expire') return { ...phase, status: 'expired', expiredAt: runEnd, progress: 1, needsFiles: true };
  phase.finalizingAt = runEnd;
  const completedAt = runEnd + finalizingMs;
  if (now < completedAt) return { ...phase, status: 'finalizing', progress: 1 };
  return { ...phase, status: 'completed', completedAt, progress: 1, needsFiles: true };
}

function finishCancel(phase: OpenAIBatchPhase, cancelAt: number, end: number, now: number): OpenAIBatchPhase {
  phase.cancellingAt = cancelAt;
  if (now < end) return { ...phase, status: 'cancelling' };
  return { ...phase, status: 'cancelled', cancelledAt: end, needsFiles: true };
}

const seconds = (ms: number | null): number | null => (ms === null ? null : Math.floor(ms / 1000));
const DAY_SECONDS = 24 * 3600;

function requestCounts(record: OpenAIBatchRecord, phase: OpenAIBatchPhase): { total: number; completed: number; failed: number } {
  if (record.final) return { total: record.final.total, completed: record.final.completed, failed: record.final.failed };
  if (!record.scan || phase.status === 'validating' || phase.status === 'failed' || phase.inProgressAt === null) {
    return { total: 0, completed: 0, failed: 0 };
  }
  const run = record.run;
  return {
    total: record.scan.total,
    completed: run ? Math.floor(run.ok * phase.progress) : 0,
    failed: run ? Math.floor(run.failed * phase.progress) : 0,
  };
}

export function renderOpenAIBatch(record: OpenAIBatchRecord, phase: OpenAIBatchPhase): Record<string, unknown> {
  const createdAt = Math.floor(record.createdAtMs / 1000);
  const final = record.final;
  const inputTokens = final?.inputTokens ?? 0;
  const outputTokens = final?.outputTokens ?? 0;
  return {
    id: record.id,
    object: 'batch',
    endpoint: record.endpoint,
    model: record.scan?.model ?? null,
    errors: phase.status === 'failed' && record.scan ? { object: 'list', data: record.scan.errors } : null,
    input_file_id: record.inputFileId,
    completion_window: record.completionWindow,
    status: phase.status,
    output_file_id: final?.outputFileId ?? null,
    error_file_id: final?.errorFileId ?? null,
    created_at: createdAt,
    in_progress_at: seconds(phase.inProgressAt),
    expires_at: createdAt + DAY_SECONDS,
    finalizing_at: seconds(phase.finalizingAt),
    completed_at: seconds(phase.completedAt),
    failed_at: seconds(phase.failedAt),
    expired_at: seconds(phase.expiredAt),
    cancelling_at: seconds(phase.cancellingAt),
    cancelled_at: seconds(phase.cancelledAt),
    request_counts: requestCounts(record, phase),
    usage: {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: inputTokens + outputTokens,
    },
    metadata: record.metadata,
  };
}

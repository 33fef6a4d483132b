/**
 * A Gemini batch job as stored, its state at an instant, and its wire form: a long-running operation
 * `{name: 'batches/<id>', metadata: GenerateContentBatch | EmbedContentBatch, done, error?}`, state in
 * `metadata.state` (`BATCH_STATE_*`), counts in `metadata.batchStats` (int64, so strings, zeros left out).
 *
 * Computed from the clock at each read. C = creation, V/P/F the timing snapshot:
 *   PENDING    until validEnd = max(C + V, input scanned)
 *   FAILED     at validEnd when the input was refused (unreadable line, duplicate key, quota fault)
 *   RUNNING    until runEnd = max(validEnd + P, all lines answered) + F; counts grow over P
 *   EXPIRED    at runEnd for a job with the expire fault (about half its lines ran), else SUCCEEDED
 *   CANCELLED  F after a cancel call (and once the lines are answered); lines ran in proportion to the
 *              progress at the call. The state does not change until then: Gemini shows no "cancelling".
 * Lines that did not run are left out of the output (the live API's treatment of them is not documented)
 * and count as pending in batchStats.
 */
import type { FaultOptions } from '../core/emulator-options.js';
import type { FaultTally } from '../core/emulator-stats.js';
import type { BatchFault } from '../core/fault-decisions.js';

export type GeminiBatchKind = 'generate' | 'embed';

export interface GeminiBatchRecord {
  /** The bare id; the resource is `batches/<id>`. */
  id: string;
  sequence: number;
  kind: GeminiBatchKind;
  /** `models/<model>`. */
  model: string;
  displayName: string;
  /** Bare id of the input file; null for inline requests (kept in `<id>.requests.json`). */
  inputFile: string | null;
  createdAtMs: number;
  faults: FaultOptions;
  /** The create call's credentials, quoted by failed lines under the `echoCredentials` fault. */
  credentials?: string;
  scan: { doneAtMs: number; total: number; error: string | null; batchFault: BatchFault; batchKey: string } | null;
  /** Prompt tokens the job holds in its model's queue until it ends (absent in records from before queue limits). */
  enqueuedTokens?: number;
  run: { doneAtMs: number; ok: number; failed: number } | null;
  cancelRequestedAtMs: number | null;
  final: {
    /** Bare id of the responses file (file input); null for inline jobs. */
    responsesFile: string | null;
    succeeded: number;
    failed: number;
    notRun: number;
    faults: FaultTally;
  } | null;
  jobError: string | null;
}

export type GeminiBatchState =
  | 'BATCH_STATE_PENDING' | 'BATCH_STATE_RUNNING' | 'BATCH_STATE_SUCCEEDED' | 'BATCH_STATE_FAILED'
  | 'BATCH_STATE_CANCELLED' | 'BATCH_STATE_EXPIRED';

export interface GeminiBatchPhase {
  state: GeminiBatchState;
  /** When the job became RUNNING (null while pending or when it never ran). */
  runningAt: number | null;
  endedAt: number | null;
  /** Share of lines answered so far (running) or that ran before a cancel. */
  progress: number;
  /** SUCCEEDED, EXPIRED, CANCELLED: the output must exist before the job is shown. */
  needsOutput: boolean;
}

const TERMINAL = new Set<GeminiBatchState>(['BATCH_STATE_SUCCEEDED', 'BATCH_STATE_FAILED', 'BATCH_STATE_CANCELLED', 'BATCH_STATE_EXPIRED']);

export const isTerminal = (state: GeminiBatchState): boolean => TERMINAL.has(state);

const clamp01 = (value: number): number => Math.min(1, Math.max(0, value));

export function geminiBatchPhase(record: GeminiBatchRecord, now: number): GeminiBatchPhase {
  const { validatingMs, inProgressMs, finalizingMs } = record.faults.timing;
  const pending: GeminiBatchPhase = { state: 'BATCH_STATE_PENDING', runningAt: null, endedAt: null, progress: 0, needsOutput: false };
  const cancelAt = record.cancelRequestedAtMs;
  const validEnd = record.scan ? Math.max(record.createdAtMs + validatingMs, record.scan.doneAtMs) : Infinity;
  if (cancelAt !== null && cancelAt < validEnd) {
    const end = cancelAt + finalizingMs;
    return now < end ? pending : { ...pending, state: 'BATCH_STATE_CANCELLED', endedAt: end, needsOutput: true };
  }
  if (now < validEnd || !record.scan) return pending;
  if (record.scan.error !== null) return { ...pending, state: 'BATCH_STATE_FAILED', endedAt: validEnd };
  const running: GeminiBatchPhase = { ...pending, state: 'BATCH_STATE_RUNNING', runningAt: validEnd };
  const progressAt = (instant: number): number => (inProgressMs === 0 ? 1 : clamp01((instant - validEnd) / inProgressMs));
  const runEnd = record.run ? Math.max(validEnd + inProgressMs, record.run.doneAtMs) + finalizingMs : Infinity;
  if (cancelAt !== null && cancelAt < runEnd) {
    const end = Math.max(cancelAt + finalizingMs, record.run?.doneAtMs ?? Infinity);
    const progress = progressAt(cancelAt);
    return now < end ? { ...running, progress: progressAt(Math.min(now, cancelAt)) } : { ...running, state: 'BATCH_STATE_CANCELLED', endedAt: end, progress, needsOutput: true };
  }
  if (now < runEnd) return { ...running, progress: progressAt(now) };
  const state = record.scan.batchFault === 'expire' ? 'BATCH_STATE_EXPIRED' : 'BATCH_STATE_SUCCEEDED';
  return { ...running, state, endedAt: runEnd, progress: 1, needsOutput: true };
}

/** int64 counts as proto JSON writes them: strings, and absent when zero. */
function int64Fields(counts: Record<string, number>): Record<string, string> {
  return Object.fromEntries(Object.entries(counts).filter(([, value]) => value > 0).map(([key, value]) => [key, String(value)]));
}

function batchStats(record: GeminiBatchRecord, phase: GeminiBatchPhase): Record<string, string> {
  const total = record.scan?.total ?? 0;
  if (record.final) {
    return int64Fields({
      requestCount: total,
      successfulRequestCount: record.final.succeeded,
      failedRequestCount: record.final.failed,
      pendingRequestCount: record.final.notRun,
    });
  }
  if (phase.state === 'BATCH_STATE_FAILED' || !record.scan) return int64Fields({ requestCount: total });
  const succeeded = record.run ? Math.floor(record.run.ok * phase.progress) : 0;
  const failed = record.run ? Math.floor(record.run.failed * phase.progress) : 0;
  return int64Fields({ requestCount: total, successfulRequestCount: succeeded, failedRequestCount: failed, pendingRequestCount: total - succeeded - failed });
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** `output` is the job's results (responses file or inline responses), present once it has ended. */
export function renderGeminiOperation(record: GeminiBatchRecord, phase: GeminiBatchPhase, output: Record<string, unknown> | null, now: number): Record<string, unknown> {
  const name = `batches/${record.id}`;
  const updated = Math.max(
    record.createdAtMs,
    ...[phase.runningAt, phase.endedAt, record.cancelRequestedAtMs].filter((time): time is number => time !== null && time <= now),
  );
  const done = isTerminal(phase.state);
  const type = record.kind === 'embed' ? 'EmbedContentBatch' : 'GenerateContentBatch';
  const metadata = {
    '@type': `type.googleapis.com/google.ai.generativelanguage.v1main.${type}`,
    model: record.model,
    displayName: record.displayName,
    ...(record.inputFile ? { inputConfig: { fileName: `files/${record.inputFile}` } } : {}),
    ...(output ? { output } : {}),
    createTime: iso(record.createdAtMs),
    ...(done && phase.endedAt !== null ? { endTime: iso(phase.endedAt) } : {}),
    updateTime: iso(updated),
    batchStats: batchStats(record, phase),
    state: phase.state,
    name,
  };
  const error = phase.state === 'BATCH_STATE_FAILED' && record.scan?.error ? { code: record.scan.batchFault === 'fail_validation' ? 8 : 3, message: record.scan.error } : null;
  return { name, metadata, done, ...(error ? { error } : {}) };
}

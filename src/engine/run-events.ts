/**
 * Progress is an event stream: the engine never prints. The CLI turns events into a live display,
 * plain lines or NDJSON; API callers pass their own `onEvent`. Events are plain JSON.
 */
import type { RunSummary, StepCounts } from './run-report.js';

export type RunEvent =
  | { type: 'run-start'; runId: string; recipe: string; resumed: boolean; offline: boolean; stateDir: string }
  | { type: 'seeds-loaded'; records: number }
  | { type: 'step-start'; step: string; index: number; kind: string; inputRecords?: number }
  | { type: 'step-skip'; step: string; index: number; reason: string }
  | { type: 'plan'; step: string; round: number; requests: number; cached: number; toSend: number; shards: number }
  | { type: 'shard-submit'; step: string; shardId: string; batchId: string; requests: number; reconciled?: boolean }
  | { type: 'shard-progress'; step: string; shardId: string; status: string; completed: number; failed: number; total: number }
  | { type: 'shard-end'; step: string; shardId: string; status: string }
  | { type: 'shard-collect'; step: string; shardId: string; results: number; valid: number; invalid: number; missing: number }
  | { type: 'retry-wait'; step: string; shardId: string; operation: string; delayMs: number; message: string }
  /** A shard waits for room in its provider's queue (queue-gate.ts): `queued` of `room` is the run's work in flight. */
  | { type: 'queue-wait'; step: string; shardId: string; queue: string; unit: 'input_tokens' | 'requests'; queued: number; room: number; limit?: number }
  /** The provider failed a batch for a full queue; the shard is planned again (nothing ran, no attempt spent). */
  | { type: 'shard-requeue'; step: string; shardId: string; batchId: string; message: string }
  | { type: 'step-end'; step: string; index: number; counts: StepCounts }
  | { type: 'version-written'; dataset: string; version: string; path: string; rows: number; reusedExisting?: boolean }
  | { type: 'warning'; message: string }
  | { type: 'run-end'; summary: RunSummary };

export type RunEventListener = (event: RunEvent) => void;

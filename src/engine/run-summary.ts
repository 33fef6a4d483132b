import type { StepCounts } from './step-counts.js';

/** What a run produced: returned by `runRecipe`, printed by the CLI, stored with the run. */
export interface RunSummary {
  version: 1;
  runId: string;
  dataset: string;
  status: 'completed' | 'failed' | 'cancelled' | 'budget_exceeded' | 'interrupted';
  offline: boolean;
  steps: { name: string; kind: string; provider?: string; model?: string; outputMode?: string; counts: StepCounts }[];
  /** Samples of generate steps: asked for, valid, invalid by reason (all steps together). */
  samples: { requested: number; valid: number; invalid: Record<string, number>; sent: number; cached: number };
  batches: string[];
  /** usd/syncUsd: actual, from the ledger; estimateUsd: what the shards sent were estimated at before sending. */
  cost: { usd: number; syncUsd: number; savingsUsd: number; estimateUsd: number; inputTokens: number; outputTokens: number; unpriced: boolean };
  /** `reusedExisting`: the data files equal the latest version's, so no version was added. */
  output?: { dataset: string; version: string; path: string; rows: number; contentHash: string; reusedExisting?: boolean };
  startedAt: string;
  durationMs: number;
  error?: { code: string; message: string };
}

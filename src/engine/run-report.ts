/** What a run reports when it ends: counts per step, samples, cost, output; the same object the CLI prints and `--json` emits. */
import type { ResponseOutcome } from '../store/store-schema.js';
import type { RunStore } from '../store/run-store.js';
import { isBatchStep, type CompiledRecipe } from './compile-recipe.js';

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
  /**
   * Records rejected as bad input, every step together, plus those the output format could not
   * take (`output.unmapped`); `rejectsFile` lists those the steps rejected, with source and reason.
   */
  rejected: number;
  rejectsFile?: string;
  /**
   * `reusedExisting`: the data files equal the latest version's, so no version was added.
   * `unmapped`: records the output format could not take (listed in the version's unmapped.jsonl).
   */
  output?: { dataset: string; version: string; path: string; rows: number; contentHash: string; reusedExisting?: boolean; unmapped?: number };
  startedAt: string;
  durationMs: number;
  error?: { code: string; message: string };
}

/** Per-step counts, as the summary and the manifest report them. */
export interface StepCounts {
  /** Records entering the step. */
  input: number;
  /** Records leaving it. */
  output: number;
  /** generate: samples asked for (records × n). */
  requested?: number;
  /** generate: requests actually sent to the provider in this run (all attempts). */
  sent?: number;
  /** generate: samples served from the response cache. */
  cached?: number;
  /** generate: valid samples (first try + after retries). */
  succeeded?: number;
  firstTry?: number;
  retried?: number;
  /** generate: invalid samples by reason, with a few examples each. */
  invalid?: Partial<Record<Exclude<ResponseOutcome, 'valid'>, { count: number; examples: string[] }>>;
  /**
   * generate: valid first try / after a repair (by the reason repaired) / after a plain retry, and
   * still invalid by reason (repair-tally.ts).
   */
  repair?: RepairCounts;
  /** dedup: removed as exact / near (MinHash) / semantic (embedding cosine) duplicates. */
  duplicates?: { exact: number; near: number; semantic: number };
  /** filter: removed, by rule. */
  filtered?: { rule: string; removed: number }[];
  /**
   * Records the step could not process (a field it needs is missing, a template fails for the
   * record): quarantined in the rejects file, never passed on. Examples are `source: reason`.
   */
  rejected?: { count: number; examples: string[] };
}

/** `steps[].counts.repair` of a generate step in the summary and the manifest. */
export interface RepairCounts {
  valid_first_try: number;
  /** By the reason the answer before the repair was invalid for. */
  valid_after_repair: { total: number; by_reason: Partial<Record<ResponseOutcome, number>> };
  valid_after_retry: number;
  still_invalid: { total: number; by_reason: Partial<Record<ResponseOutcome, number>> };
}

const MAX_EXAMPLES = 3;

export function countInvalid(counts: StepCounts, outcome: Exclude<ResponseOutcome, 'valid'>, example: string | undefined): void {
  counts.invalid ??= {};
  const entry = (counts.invalid[outcome] ??= { count: 0, examples: [] });
  entry.count++;
  if (example && entry.examples.length < MAX_EXAMPLES) entry.examples.push(example);
}

/** Counts one rejected record; its example names the record by where it was read, never by internal id. */
export function countRejected(counts: StepCounts, example: string): void {
  counts.rejected ??= { count: 0, examples: [] };
  counts.rejected.count++;
  if (counts.rejected.examples.length < MAX_EXAMPLES) counts.rejected.examples.push(example);
}

export function summarize(input: {
  store: RunStore;
  runId: string;
  compiled: CompiledRecipe;
  stepCounts: StepCounts[];
  status: RunSummary['status'];
  offline: boolean;
  startedAt: Date;
  output?: RunSummary['output'];
  error?: RunSummary['error'];
  rejectsFile?: string;
}): RunSummary {
  const { store, runId, compiled } = input;
  const samples: RunSummary['samples'] = { requested: 0, valid: 0, invalid: {}, sent: 0, cached: 0 };
  const steps = compiled.steps.map((compiledStep, position) => {
    const counts = input.stepCounts[position] ?? { input: 0, output: 0 };
    if (isBatchStep(compiledStep)) {
      samples.requested += counts.requested ?? 0;
      samples.valid += counts.succeeded ?? 0;
      samples.sent += counts.sent ?? 0;
      samples.cached += counts.cached ?? 0;
      for (const [reason, entry] of Object.entries(counts.invalid ?? {})) samples.invalid[reason] = (samples.invalid[reason] ?? 0) + (entry?.count ?? 0);
      return {
        name: compiledStep.step.name,
        kind: compiledStep.kind,
        provider: compiledStep.step.modelRef.provider,
        model: compiledStep.step.modelRef.model,
        outputMode: compiledStep.outputMode,
        counts,
      };
    }
    return { name: compiledStep.step.name, kind: compiledStep.step.kind, counts };
  });
  const rejectedBySteps = steps.reduce((sum, step) => sum + (step.counts.rejected?.count ?? 0), 0);
  const rejected = rejectedBySteps + (input.output?.unmapped ?? 0);
  const ledger = store.ledgerTotals(runId);
  const shards = store.shardsOfRun(runId);
  const batches = shards.flatMap((shard) => (shard.batchId ? [shard.batchId] : []));
  const estimateUsd = shards.filter((shard) => shard.batchId).reduce((sum, shard) => sum + (shard.estimateUsd ?? 0), 0);
  return {
    version: 1,
    runId,
    dataset: compiled.recipe.name,
    status: input.status,
    offline: input.offline,
    steps,
    samples,
    batches,
    cost: {
      usd: round(ledger.costUsd),
      syncUsd: round(ledger.syncCostUsd),
      savingsUsd: round(ledger.syncCostUsd - ledger.costUsd),
      estimateUsd: round(estimateUsd),
      inputTokens: ledger.inputTokens,
      outputTokens: ledger.outputTokens,
      unpriced: ledger.unpricedEntries > 0,
    },
    rejected,
    ...(input.rejectsFile && rejectedBySteps > 0 ? { rejectsFile: input.rejectsFile } : {}),
    ...(input.output ? { output: input.output } : {}),
    startedAt: input.startedAt.toISOString(),
    durationMs: Date.now() - input.startedAt.getTime(),
    ...(input.error ? { error: input.error } : {}),
  };
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** The RunSummary of a run from its step counts and what the store recorded (ledger, shards). */
import type { RunStore } from '../store/run-store.js';
import { isBatchStep, type CompiledRecipe } from './compile-recipe.js';
import type { RunSummary, StepCounts } from './run-report.js';

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

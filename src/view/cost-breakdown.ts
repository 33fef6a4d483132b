/**
 * Cost and tokens of the run that wrote a version, per step and per provider/model, from the
 * store's ledger (one entry per collected batch). Without the run's state only the manifest's
 * totals are known, and the breakdown says so.
 */
import { costOf, stepsOf } from '../dataset/manifest-views.js';
import type { OpenedDataset } from '../dataset/open-dataset.js';
import { ledgerBreakdown } from '../store/ledger-breakdown.js';
import type { ViewRoots } from './view-paths.js';

export interface CostBreakdown {
  dataset: string;
  version: string;
  runId?: string;
  totals: ReturnType<typeof costOf>;
  /** One entry per step, provider and model; empty when the run's ledger cannot be read. */
  slices: { step: string; stepIndex: number; provider: string; model: string; requests: number; inputTokens: number; outputTokens: number; costUsd: number; syncCostUsd: number; unpricedEntries: number }[];
  note?: string;
}

export function costBreakdown(roots: ViewRoots, opened: OpenedDataset): CostBreakdown {
  const runId = typeof opened.manifest.run_id === 'string' ? opened.manifest.run_id : undefined;
  const base = { dataset: opened.dataset, version: opened.version, ...(runId ? { runId } : {}), totals: costOf(opened.manifest) };
  const ledger = runId ? ledgerBreakdown(roots.stateDir, runId) : undefined;
  if (!ledger) return { ...base, slices: [], note: `the ledger of this version's run is not in ${roots.stateDir}; only totals are known` };
  const names = stepsOf(opened.manifest).map((step) => step.name);
  return {
    ...base,
    slices: ledger.map(({ stepIndex, provider, model, requests, inputTokens, outputTokens, costUsd, syncCostUsd, unpricedEntries }) => ({
      step: names[stepIndex] ?? `step ${stepIndex}`,
      stepIndex,
      provider,
      model,
      requests,
      inputTokens,
      outputTokens,
      costUsd,
      syncCostUsd,
      unpricedEntries,
    })),
  };
}

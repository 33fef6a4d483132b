/**
 * Looking at and steering runs from outside the process that works on them (`status`, `cancel`,
 * `resume` from another terminal): everything here reads or writes the store only, except
 * cancelling the batches of a run that no live process works on any more.
 */
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../errors.js';
import type { BatchHandle, ProviderCatalog } from '../providers/batch-provider.js';
import { RunStore, type RunRow, type ShardRow } from '../store/run-store.js';

export interface RunStatusReport {
  version: 1;
  run: RunRow & { alive: boolean };
  steps: { index: number; name: string; kind: string; status: string; counts?: unknown }[];
  shards: { total: number; byStatus: Record<string, number>; batches: { shard: string; step: number; provider: string; batchId?: string; status: string; rawStatus?: string; counts?: unknown }[] };
  cost: { usd: number; syncUsd: number; inputTokens: number; outputTokens: number };
}

export interface RunListReport {
  version: 1;
  runs: (RunRow & { alive: boolean })[];
}

export interface CancelReport {
  version: 1;
  runId: string;
  status: string;
  /** Batches cancelled by this call itself (when no process was working on the run). */
  cancelledBatches: string[];
  note?: string;
}

/** The newest runs of a state directory, newest first. */
export function listRuns(stateDir: string, limit = 20): RunListReport {
  return withStore(stateDir, (store) => ({ version: 1, runs: store.listRuns(limit).map(withAlive) }));
}

/** One run: its steps, batches and cost so far. */
export function describeRun(stateDir: string, runId: string): RunStatusReport {
  return withStore(stateDir, (store) => {
    const run = requireRun(store, runId, '; `synthforge status` lists the runs there');
    const shards = store.shardsOfRun(run.id);
    const ledger = store.ledgerTotals(run.id);
    return {
      version: 1,
      run: withAlive(run),
      steps: store.getSteps(run.id),
      shards: { total: shards.length, byStatus: countByStatus(shards), batches: shards.map(describeShard) },
      cost: { usd: ledger.costUsd, syncUsd: ledger.syncCostUsd, inputTokens: ledger.inputTokens, outputTokens: ledger.outputTokens },
    };
  });
}

/** What `resume` needs to run a recorded run again: its recipe file and whether it ran offline. */
export function findResumableRun(stateDir: string, runId: string): { runId: string; recipePath: string; offline: boolean } {
  const run = withStore(stateDir, (store) => requireRun(store, runId, ''));
  if (run.recipePath === '(object)') {
    throw new UsageError('run_not_resumable', `run ${run.id} was started from code (runRecipe); resume it there with { resumeRunId: '${run.id}' }`);
  }
  return { runId: run.id, recipePath: run.recipePath, offline: Boolean(run.options.offline) };
}

/**
 * A live run is asked to stop: it cancels its provider batches, keeps what already came back, and
 * ends `cancelled`. A run no process works on (it crashed) has its submitted batches cancelled here,
 * through `providers` (opened only then).
 */
export async function cancelRun(options: { stateDir: string; runId: string; waitMs?: number; providers: () => Promise<ProviderCatalog> }): Promise<CancelReport> {
  const store = new RunStore(options.stateDir);
  try {
    const run = requireRun(store, options.runId, '');
    if (run.status === 'completed' || run.status === 'cancelled') {
      return { version: 1, runId: run.id, status: run.status, cancelledBatches: [], note: `the run is already ${run.status}` };
    }
    store.requestCancel(run.id);
    if (run.status === 'running' && isProcessAlive(run.pid)) {
      const deadline = Date.now() + (options.waitMs ?? 10 * 60_000);
      while (Date.now() < deadline && store.getRun(run.id)?.status === 'running') await sleep(200);
      const status = store.getRun(run.id)!.status;
      return { version: 1, runId: run.id, status, cancelledBatches: [], ...(status === 'running' ? { note: 'the run is still stopping; check `synthforge status`' } : {}) };
    }
    const cancelled = await cancelOrphanedBatches(store, run, options.providers);
    store.setRunStatus(run.id, 'cancelled');
    return { version: 1, runId: run.id, status: 'cancelled', cancelledBatches: cancelled.batches, ...(cancelled.note ? { note: cancelled.note } : {}) };
  } finally {
    store.close();
  }
}

async function cancelOrphanedBatches(store: RunStore, run: RunRow, providers: () => Promise<ProviderCatalog>): Promise<{ batches: string[]; note?: string }> {
  const open = store.shardsOfRun(run.id).filter((shard) => shard.status === 'submitted' && shard.handle);
  if (open.length === 0) return { batches: [] };
  if (run.options.offline) return { batches: [], note: "an offline run's batches lived in its in-process emulator; nothing to cancel at a provider" };
  const catalog = await providers();
  const batches: string[] = [];
  for (const shard of open) {
    const handle = shard.handle as BatchHandle;
    const provider = await catalog.open({ provider: handle.provider, model: handle.model }, shard.endpoint ? { baseUrl: shard.endpoint } : {});
    await provider.cancel(handle);
    batches.push(handle.batchId);
  }
  return { batches };
}

/** Whether the process recorded as working on a run still exists (signal 0 probes without signalling). */
export function isProcessAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function withStore<T>(stateDir: string, read: (store: RunStore) => T): T {
  const store = new RunStore(resolve(stateDir));
  try {
    return read(store);
  } finally {
    store.close();
  }
}

function requireRun(store: RunStore, runId: string, hint: string): RunRow {
  const run = store.getRun(runId);
  if (!run) throw new UsageError('run_not_found', `no run ${runId} in ${store.stateDir}${hint}`);
  return run;
}

function withAlive(run: RunRow): RunRow & { alive: boolean } {
  return { ...run, alive: run.status === 'running' && isProcessAlive(run.pid) };
}

function countByStatus(shards: ShardRow[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const shard of shards) counts[shard.status] = (counts[shard.status] ?? 0) + 1;
  return counts;
}

function describeShard(shard: ShardRow): RunStatusReport['shards']['batches'][number] {
  return {
    shard: shard.id,
    step: shard.stepIndex,
    provider: shard.provider,
    ...(shard.batchId ? { batchId: shard.batchId } : {}),
    status: shard.status,
    ...(shard.rawStatus ? { rawStatus: shard.rawStatus } : {}),
    ...(shard.counts ? { counts: shard.counts } : {}),
  };
}

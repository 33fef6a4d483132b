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
import { stateLockHolder } from '../store/state-lock.js';

/**
 * A run as `status` shows it. `alive`: a process is working on it now. A run recorded `running`
 * whose process is gone (killed, crashed, the machine rebooted) is shown `interrupted`: that is what
 * it is, and running the same command again continues it.
 */
export type RunView = RunRow & { alive: boolean };

export interface RunStatusReport {
  version: 1;
  run: RunView;
  steps: { index: number; name: string; kind: string; status: string; counts?: unknown }[];
  shards: { total: number; byStatus: Record<string, number>; batches: { shard: string; step: number; provider: string; batchId?: string; status: string; rawStatus?: string; counts?: unknown }[] };
  cost: { usd: number; syncUsd: number; inputTokens: number; outputTokens: number };
}

export interface RunListReport {
  version: 1;
  runs: RunView[];
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
  return withStore(stateDir, (store) => {
    const live = liveRunId(store.stateDir);
    return { version: 1, runs: store.listRuns(limit).map((run) => viewOf(run, live)) };
  });
}

/** One run: its steps, batches and cost so far. */
export function describeRun(stateDir: string, runId: string): RunStatusReport {
  return withStore(stateDir, (store) => {
    const run = requireRun(store, runId, '; `synthforge status` lists the runs there');
    const shards = store.shardsOfRun(run.id);
    const ledger = store.ledgerTotals(run.id);
    const view = viewOf(run, liveRunId(store.stateDir));
    return {
      version: 1,
      run: view,
      // A step left `running` by a process that is gone stopped with it.
      steps: store.getSteps(run.id).map((step) => (step.status === 'running' && !view.alive ? { ...step, status: 'interrupted' } : step)),
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
    const live = (): boolean => liveRunId(store.stateDir) === run.id;
    if (run.status === 'running' && live()) {
      const deadline = Date.now() + (options.waitMs ?? 10 * 60_000);
      while (Date.now() < deadline && store.getRun(run.id)?.status === 'running' && live()) await sleep(200);
      const status = store.getRun(run.id)!.status;
      // A process that died while stopping leaves its batches to be cancelled here, like any orphan's.
      if (status !== 'running' || live()) {
        return { version: 1, runId: run.id, status, cancelledBatches: [], ...(status === 'running' ? { note: 'the run is still stopping; check `synthforge status`' } : {}) };
      }
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

/**
 * The run a live process works on in this state directory, if any. A run holds the directory's lock
 * while it works (store/state-lock.ts) and the kernel drops the lock when the process ends however
 * it ends, so unlike the pid recorded with the run this cannot be fooled by a reused pid.
 */
function liveRunId(stateDir: string): string | undefined {
  return stateLockHolder(stateDir)?.runId;
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

function viewOf(run: RunRow, liveRunId: string | undefined): RunView {
  const alive = run.status === 'running' && run.id === liveRunId;
  return { ...run, ...(run.status === 'running' && !alive ? { status: 'interrupted' } : {}), alive };
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

import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderRegistry } from '../../engine/provider-registry.js';
import { UsageError } from '../../errors.js';
import type { BatchHandle } from '../../providers/batch-provider.js';
import { RunStore } from '../../store/run-store.js';
import type { ModelRef } from '../../domain.js';
import { isProcessAlive } from './status.js';

export interface CancelReport {
  version: 1;
  runId: string;
  status: string;
  /** Batches cancelled by this command itself (when no process was working on the run). */
  cancelledBatches: string[];
  note?: string;
}

/**
 * `synthforge cancel <run-id>`. A live run is asked to stop: it cancels its provider batches, keeps
 * what already came back, and ends `cancelled`. A run no process works on (it crashed) has its
 * submitted batches cancelled here directly.
 */
export async function cancelCommand(options: { cwd: string; state?: string; runId: string; waitMs?: number }): Promise<CancelReport> {
  const store = new RunStore(resolve(options.cwd, options.state ?? '.synthforge'));
  try {
    const run = store.getRun(options.runId);
    if (!run) throw new UsageError('run_not_found', `no run ${options.runId} in ${store.stateDir}`);
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
    const cancelled = await cancelOpenBatches(store, run.id, Boolean(run.options.offline));
    store.setRunStatus(run.id, 'cancelled');
    return { version: 1, runId: run.id, status: 'cancelled', cancelledBatches: cancelled.batches, ...(cancelled.note ? { note: cancelled.note } : {}) };
  } finally {
    store.close();
  }
}

async function cancelOpenBatches(store: RunStore, runId: string, offline: boolean): Promise<{ batches: string[]; note?: string }> {
  const open = store.shardsOfRun(runId).filter((shard) => shard.status === 'submitted' && shard.handle);
  if (open.length === 0) return { batches: [] };
  if (offline) return { batches: [], note: 'an offline run\'s batches lived in its in-process emulator; nothing to cancel at a provider' };
  const registry = new ProviderRegistry({ env: process.env });
  const batches: string[] = [];
  for (const shard of open) {
    const handle = shard.handle as BatchHandle;
    const ref: ModelRef = { provider: handle.provider, model: handle.model };
    await registry.get(ref, shard.endpoint || undefined).cancel(handle);
    batches.push(handle.batchId);
  }
  return { batches };
}

export function renderCancel(report: CancelReport): string {
  const lines = [`run ${report.runId}: ${report.status}`];
  if (report.cancelledBatches.length > 0) lines.push(`cancelled batches: ${report.cancelledBatches.join(', ')}`);
  if (report.note) lines.push(report.note);
  return lines.join('\n');
}

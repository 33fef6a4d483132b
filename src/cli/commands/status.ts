import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { RunStore, type RunRow, type ShardRow } from '../../store/run-store.js';

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

/** `synthforge status [run-id]`: reads the store only, so it works from any terminal while a run goes on. */
export async function statusCommand(options: { cwd: string; state?: string; runId?: string }): Promise<RunStatusReport | RunListReport> {
  const store = new RunStore(resolve(options.cwd, options.state ?? '.synthforge'));
  try {
    if (!options.runId) return { version: 1, runs: store.listRuns(20).map(withAlive) };
    const run = store.getRun(options.runId);
    if (!run) throw new UsageError('run_not_found', `no run ${options.runId} in ${store.stateDir}; \`synthforge status\` lists the runs there`);
    const shards = store.shardsOfRun(run.id);
    const ledger = store.ledgerTotals(run.id);
    return {
      version: 1,
      run: withAlive(run),
      steps: store.getSteps(run.id),
      shards: { total: shards.length, byStatus: countBy(shards), batches: shards.map(describeShard) },
      cost: { usd: ledger.costUsd, syncUsd: ledger.syncCostUsd, inputTokens: ledger.inputTokens, outputTokens: ledger.outputTokens },
    };
  } finally {
    store.close();
  }
}

export function isProcessAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function withAlive(run: RunRow): RunRow & { alive: boolean } {
  return { ...run, alive: run.status === 'running' && isProcessAlive(run.pid) };
}

function countBy(shards: ShardRow[]): Record<string, number> {
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

export function renderStatus(report: RunStatusReport | RunListReport): string {
  if ('runs' in report) {
    if (report.runs.length === 0) return 'no runs in this state directory';
    return report.runs
      .map((run) => `${run.id}  ${run.recipeName.padEnd(16)} ${run.status}${run.alive ? ' (live)' : ''}  ${new Date(run.createdAt).toISOString()}`)
      .join('\n');
  }
  const { run } = report;
  const lines = [`run ${run.id} of ${run.recipeName}: ${run.status}${run.alive ? ` (process ${run.pid} is working on it)` : ''}${run.cancelRequested ? ', cancel requested' : ''}`];
  for (const step of report.steps) lines.push(`  step ${step.name} (${step.kind}): ${step.status}${step.counts ? ` ${JSON.stringify(step.counts)}` : ''}`);
  const byStatus = Object.entries(report.shards.byStatus).map(([status, count]) => `${count} ${status}`).join(', ');
  lines.push(`  shards: ${report.shards.total}${byStatus ? ` (${byStatus})` : ''}`);
  for (const batch of report.shards.batches) {
    const counts = batch.counts as { completed?: number; failed?: number; total?: number } | undefined;
    const progress = counts ? ` ${(counts.completed ?? 0) + (counts.failed ?? 0)}/${counts.total ?? '?'}` : '';
    lines.push(`    ${batch.batchId ?? '(not submitted)'} ${batch.provider} ${batch.status}${batch.rawStatus ? `/${batch.rawStatus}` : ''}${progress}`);
  }
  lines.push(`  cost so far: $${report.cost.usd.toFixed(4)} (${report.cost.inputTokens} in, ${report.cost.outputTokens} out tokens)`);
  return lines.join('\n');
}

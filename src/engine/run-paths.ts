import { join } from 'node:path';

/** Where a run keeps its files under the state directory. */
export function runDirectory(stateDir: string, runId: string): string {
  return join(stateDir, 'runs', runId);
}

/** The records entering step `index` (stage 0 = the seeds). */
export function stagePath(runDir: string, index: number): string {
  return join(runDir, `stage-${String(index).padStart(2, '0')}.jsonl`);
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `run-${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}

import { resolve } from 'node:path';
import { describeRun, listRuns, type RunListReport, type RunStatusReport } from '../../engine/run-control.js';

/** `synthforge status [run-id]`: reads the store only, so it works from any terminal while a run goes on. */
export async function statusCommand(options: { cwd: string; state?: string; runId?: string }): Promise<RunStatusReport | RunListReport> {
  const stateDir = resolve(options.cwd, options.state ?? '.synthforge');
  return options.runId ? describeRun(stateDir, options.runId) : listRuns(stateDir);
}

import { resolve } from 'node:path';
import { findResumableRun } from '../../engine/run-control.js';
import type { RunSummary } from '../../engine/run-report.js';
import { runCommand, type RunCommandOptions } from './run.js';

/**
 * `synthforge resume <run-id>`: continues a run from its recipe file, as recorded in the store. The
 * recipe may have changed only in its budget (raise `budget.max_usd` to go past the budget guard).
 */
export async function resumeCommand(options: Omit<RunCommandOptions, 'recipe'> & { runId: string }): Promise<RunSummary> {
  const run = findResumableRun(resolve(options.cwd, options.state ?? '.synthforge'), options.runId);
  return runCommand({ ...options, recipe: run.recipePath, resumeRunId: run.runId, offline: options.offline ?? run.offline });
}

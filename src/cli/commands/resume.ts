import { resolve } from 'node:path';
import type { RunSummary } from '../../engine/run-summary.js';
import { UsageError } from '../../errors.js';
import { RunStore } from '../../store/run-store.js';
import { runCommand, type RunCommandOptions } from './run.js';

/**
 * `synthforge resume <run-id>`: continues a run from its recipe file, as recorded in the store. The
 * recipe may have changed only in its budget (raise `budget.max_usd` to go past the budget guard).
 */
export async function resumeCommand(options: Omit<RunCommandOptions, 'recipe'> & { runId: string }): Promise<RunSummary> {
  const store = new RunStore(resolve(options.cwd, options.state ?? '.synthforge'));
  const run = store.getRun(options.runId);
  store.close();
  if (!run) throw new UsageError('run_not_found', `no run ${options.runId} in ${resolve(options.cwd, options.state ?? '.synthforge')}`);
  if (run.recipePath === '(object)') {
    throw new UsageError('run_not_resumable', `run ${run.id} was started from code (runRecipe); resume it there with { resumeRunId: '${run.id}' }`);
  }
  return runCommand({ ...options, recipe: run.recipePath, resumeRunId: run.id, offline: options.offline ?? Boolean(run.options.offline) });
}

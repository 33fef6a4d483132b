import { resolve } from 'node:path';
import { openProviders } from '../../api/providers.js';
import { cancelRun, type CancelReport } from '../../engine/run-control.js';

/**
 * `synthforge cancel <run-id>`: a live run is asked to stop; a run no process works on has its
 * batches cancelled at the providers, with keys from the environment.
 */
export async function cancelCommand(options: { cwd: string; state?: string; runId: string; waitMs?: number }): Promise<CancelReport> {
  return cancelRun({
    stateDir: resolve(options.cwd, options.state ?? '.synthforge'),
    runId: options.runId,
    ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {}),
    providers: async () => (await openProviders()).catalog,
  });
}

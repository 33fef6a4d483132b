/**
 * Runs of the state directory and one run's progress, as `synthforge status` reports them (the
 * page polls these while a run goes on). A state directory without a store lists no runs: the
 * viewer never creates one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { describeRun, listRuns } from '../engine/run-control.js';
import { checkedRunId, type ViewRoots } from './view-paths.js';

export function addRunRoutes(app: Hono, roots: ViewRoots): void {
  const hasStore = (): boolean => existsSync(join(roots.stateDir, 'synthforge.db'));

  app.get('/api/runs', (c) => c.json({ stateDir: roots.stateDir, runs: hasStore() ? listRuns(roots.stateDir, 50).runs : [] }));

  app.get('/api/runs/:run', (c) => {
    const runId = checkedRunId(c.req.param('run'));
    if (!hasStore()) return c.json({ error: { code: 'run_not_found', message: `no run ${runId}: ${roots.stateDir} holds no run state` } }, 404);
    return c.json(describeRun(roots.stateDir, runId));
  });
}

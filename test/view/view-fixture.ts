/**
 * A state directory and output root made by running the quickstart recipe offline twice: v1 with
 * invalid answers (retried) and near duplicates kept in rejects.jsonl, v2 from one seed ticket less,
 * so the two versions differ. Built once per test file (a few seconds).
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRecipe } from '../../src/api/run-recipe.js';
import { removeTree } from '../helpers/remove-tree.js';

const FAST = { validatingMs: 0, inProgressMs: 0, finalizingMs: 0 };

export interface ViewFixture {
  dir: string;
  outputsRoot: string;
  stateDir: string;
  runIds: string[];
  remove(): void;
}

export async function buildViewFixture(): Promise<ViewFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'synthforge-view-'));
  cpSync(join(process.cwd(), 'recipes'), join(dir, 'recipes'), { recursive: true });
  const recipe = join(dir, 'recipes', 'quickstart.yaml');
  const run = (seed: number) =>
    runRecipe(recipe, {
      cwd: dir,
      offline: true,
      env: {},
      keepRejects: true,
      emulator: { faults: { seed, timing: FAST, malformedJsonRate: 0.1, schemaInvalidRate: 0.15, nearDuplicateRate: 0.3 } },
      pollIntervalMs: { initial: 5, max: 20 },
    });
  const first = await run(1);
  writeFileSync(recipe, readFileSync(recipe, 'utf8').replace('limit: 4', 'limit: 3'));
  const second = await run(1);
  return {
    dir,
    outputsRoot: join(dir, 'outputs'),
    stateDir: join(dir, '.synthforge'),
    runIds: [first.runId, second.runId],
    remove: () => removeTree(dir),
  };
}

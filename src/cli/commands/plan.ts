import { resolve } from 'node:path';
import { planRun } from '../../api/plan-run.js';
import type { RunPlan } from '../../engine/estimate-run.js';
import { loadRecipe } from '../../recipe/load-recipe.js';

/** `synthforge plan <recipe>`: records, requests and shards per step, without sending anything. */
export async function planCommand(options: { recipe: string; cwd: string }): Promise<RunPlan> {
  return planRun(await loadRecipe(resolve(options.cwd, options.recipe)));
}

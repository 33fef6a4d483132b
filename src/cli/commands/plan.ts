import { resolve } from 'node:path';
import { planRun } from '../../api/plan-run.js';
import { DEFAULT_CAPABILITIES } from '../../api/providers.js';
import type { RunPlan } from '../../engine/estimate-run.js';
import { loadWithAllIssues } from '../../engine/load-with-all-issues.js';
import { toSeedSpecs } from '../../engine/seed-sources.js';
import { loadRecipe } from '../../recipe/load-recipe.js';
import { countProductSeeds, type ProductSeedCount } from '../../seeds/expand-product.js';

export type PlanReport = RunPlan & {
  /** Records of each product source, counted from its lists without expanding it. */
  products: ProductSeedCount[];
};

/** `synthforge plan <recipe>`: records, requests and shards per step, without sending anything. */
export async function planCommand(options: { recipe: string; cwd: string; state?: string }): Promise<PlanReport> {
  const loaded = await loadWithAllIssues(() => loadRecipe(resolve(options.cwd, options.recipe)), DEFAULT_CAPABILITIES);
  // Before anything reads a record: a product over the limit is refused with its count, not expanded.
  const products = countProductSeeds(toSeedSpecs(loaded.recipe, loaded.locate));
  return { ...(await planRun(loaded, undefined, { cwd: options.cwd, ...(options.state !== undefined ? { stateDir: options.state } : {}) })), products };
}

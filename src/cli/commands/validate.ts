import { resolve } from 'node:path';
import { compileRecipe } from '../../api/plan-run.js';
import { DEFAULT_CAPABILITIES } from '../../api/providers.js';
import { loadWithAllIssues } from '../../engine/load-with-all-issues.js';
import { scanSeedData, toSeedSpecs } from '../../engine/seed-sources.js';
import { loadRecipe } from '../../recipe/load-recipe.js';
import type { RecipeIssue } from '../../recipe/recipe-error.js';
import { countProductSeeds, type ProductSeedCount } from '../../seeds/expand-product.js';

export interface ValidateReport {
  version: 1;
  recipe: string;
  valid: true;
  dataset: string;
  steps: { name: string; kind: string }[];
  warnings: RecipeIssue[];
  /** Records of each product source, counted from its lists without expanding it. */
  products: ProductSeedCount[];
  /** With `--data`: every seed record was read; how many there are after limit and sampling. */
  seedRecords?: number;
}

/**
 * `synthforge validate <recipe>`: loads and compiles a recipe; throws RecipeError listing every issue.
 * Compiling reads the first records of each seed source for their field names; `data` reads them all,
 * so a malformed line anywhere fails here (SeedError, file:line) instead of at the start of a run.
 */
export async function validateCommand(options: { recipe: string; cwd: string; data?: boolean }): Promise<ValidateReport> {
  const loaded = await loadWithAllIssues(() => loadRecipe(resolve(options.cwd, options.recipe)), DEFAULT_CAPABILITIES);
  const compiled = await compileRecipe(loaded);
  // Compiling peeks at the first records only: a product of 10^12 would pass it and hang the run.
  const products = countProductSeeds(toSeedSpecs(loaded.recipe, loaded.locate));
  const seedRecords = options.data ? (await scanSeedData(loaded)).total : undefined;
  return {
    version: 1,
    recipe: loaded.recipe.source.file,
    valid: true,
    dataset: loaded.recipe.name,
    steps: compiled.steps.map((step) => ({ name: step.step.name, kind: step.step.kind })),
    warnings: compiled.warnings,
    products,
    ...(seedRecords !== undefined ? { seedRecords } : {}),
  };
}

import { resolve } from 'node:path';
import { compileRecipe } from '../../api/plan-run.js';
import { scanSeedData } from '../../engine/seed-sources.js';
import { loadRecipe } from '../../recipe/load-recipe.js';
import type { RecipeIssue } from '../../recipe/recipe-error.js';

export interface ValidateReport {
  version: 1;
  recipe: string;
  valid: true;
  dataset: string;
  steps: { name: string; kind: string }[];
  warnings: RecipeIssue[];
  /** With `--data`: every seed record was read; how many there are after limit and sampling. */
  seedRecords?: number;
}

/**
 * `synthforge validate <recipe>`: loads and compiles a recipe; throws RecipeError listing every issue.
 * Compiling reads the first records of each seed source for their field names; `data` reads them all,
 * so a malformed line anywhere fails here (SeedError, file:line) instead of at the start of a run.
 */
export async function validateCommand(options: { recipe: string; cwd: string; data?: boolean }): Promise<ValidateReport> {
  const loaded = await loadRecipe(resolve(options.cwd, options.recipe));
  const compiled = await compileRecipe(loaded);
  const seedRecords = options.data ? (await scanSeedData(loaded)).total : undefined;
  return {
    version: 1,
    recipe: loaded.recipe.source.file,
    valid: true,
    dataset: loaded.recipe.name,
    steps: compiled.steps.map((step) => ({ name: step.step.name, kind: step.step.kind })),
    warnings: compiled.warnings,
    ...(seedRecords !== undefined ? { seedRecords } : {}),
  };
}

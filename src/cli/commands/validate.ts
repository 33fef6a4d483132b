import { resolve } from 'node:path';
import { compileRecipe } from '../../api/plan-run.js';
import { loadRecipe } from '../../recipe/load-recipe.js';
import type { RecipeIssue } from '../../recipe/recipe-error.js';

export interface ValidateReport {
  version: 1;
  recipe: string;
  valid: true;
  dataset: string;
  steps: { name: string; kind: string }[];
  warnings: RecipeIssue[];
}

/** `synthforge validate <recipe>`: loads and compiles a recipe; throws RecipeError listing every issue. */
export async function validateCommand(options: { recipe: string; cwd: string }): Promise<ValidateReport> {
  const loaded = await loadRecipe(resolve(options.cwd, options.recipe));
  const compiled = await compileRecipe(loaded);
  return {
    version: 1,
    recipe: loaded.recipe.source.file,
    valid: true,
    dataset: loaded.recipe.name,
    steps: compiled.steps.map((step) => ({ name: step.step.name, kind: step.step.kind })),
    warnings: compiled.warnings,
  };
}

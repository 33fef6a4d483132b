/**
 * Loading stops at the recipe's schema, compiling at templates, fields and models: on their own a
 * user would fix a recipe in up to three rounds. When the schema fails, the parts that passed it are
 * compiled too and one RecipeError lists both, sorted by where they are written.
 */
import { SynthforgeError } from '../errors.js';
import { RecipeError, type RecipeIssue } from '../recipe/recipe-error.js';
import type { LoadedRecipe } from '../recipe/recipe.js';
import { compileIssues, type CapabilityLookup, type CompileOptions } from './compile-recipe.js';

export async function loadWithAllIssues(
  load: () => Promise<LoadedRecipe> | LoadedRecipe,
  providers: CapabilityLookup,
  options: CompileOptions = {},
): Promise<LoadedRecipe> {
  try {
    return await load();
  } catch (error) {
    if (!(error instanceof RecipeError) || error.partial === undefined) throw error;
    let more: RecipeIssue[];
    try {
      more = await compileIssues(error.partial, providers, options);
    } catch (compileError) {
      // The schema's issues stand on their own; a part that cannot even be compiled adds nothing to them.
      if (SynthforgeError.isInstance(compileError)) throw error;
      throw compileError;
    }
    throw new RecipeError(sortByPosition([...error.issues, ...more]));
  }
}

/** By file, line and column; issues without a position (TS recipes) keep their order after the rest. */
function sortByPosition(issues: RecipeIssue[]): RecipeIssue[] {
  return [...issues].sort(
    (a, b) => a.file.localeCompare(b.file) || (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? Infinity) - (b.column ?? Infinity),
  );
}

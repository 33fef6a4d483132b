/**
 * What the public entry points take as a recipe: a file path, a loaded recipe, or the object a TS
 * recipe builds with `defineRecipe`. Typed as `RecipeInput`, not `object`, so a misspelt key in a
 * recipe written inline is a compile error in the caller's editor.
 */
import { resolve } from 'node:path';
import type { RecipeInput } from '../recipe/define-recipe.js';
import { loadRecipe, loadRecipeObject } from '../recipe/load-recipe.js';
import type { LoadedRecipe } from '../recipe/recipe.js';

export type RecipeArgument = string | LoadedRecipe | RecipeInput;

/** A path is resolved against `cwd`, and so are the seed files of a recipe object. */
export async function loadRecipeArgument(recipe: RecipeArgument, cwd: string = process.cwd()): Promise<LoadedRecipe> {
  if (typeof recipe === 'string') return loadRecipe(resolve(cwd, recipe));
  if ('recipe' in recipe && 'locate' in recipe) return recipe;
  return loadRecipeObject(recipe, cwd);
}

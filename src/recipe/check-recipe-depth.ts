import { findTooDeep, MAX_NESTING } from '../seeds/find-too-deep.js';
import { RecipeError } from './recipe-error.js';
import type { Locate } from './recipe.js';

/**
 * Refuses a recipe document nested deeper than MAX_NESTING levels, at the key path where it does.
 * Runs before anything walks the document recursively (the content hash, zod, the compiler), which
 * would otherwise overflow the call stack on a hostile recipe and end as an internal error.
 */
export function checkRecipeDepth(document: unknown, file: string, locate: Locate): void {
  const path = findTooDeep(document, MAX_NESTING);
  if (path === undefined) return;
  const position = locate(path);
  throw new RecipeError([
    {
      file,
      ...(position ?? {}),
      path,
      code: 'recipe_too_deep',
      message: `the recipe nests deeper than ${MAX_NESTING} levels of lists and objects here`,
      severity: 'error',
    },
  ]);
}

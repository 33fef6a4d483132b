/**
 * Loads a TS (or JS) recipe: the file default-exports `defineRecipe({...})`. It is imported through
 * tsx, so users need no build step; the module is then validated by the same recipe model as YAML.
 * TS object literals carry no positions, so issues name the file and the key path only.
 */
import { pathToFileURL } from 'node:url';
import { dirname, resolve } from 'node:path';
import { RecipeError } from './recipe-error.js';
import type { LoadedRecipe } from './recipe.js';
import { readRecipeFile, sha256 } from './load-yaml.js';
import { normaliseRecipeInput } from './define-recipe.js';
import { recipeWorkHash } from './recipe-hash.js';
import { validateRecipeDocument } from './validate-document.js';

export async function loadTsRecipe(file: string): Promise<LoadedRecipe> {
  const path = resolve(file);
  const text = await readRecipeFile(path);
  let module: { default?: unknown };
  try {
    const { tsImport } = await import('tsx/esm/api');
    module = (await tsImport(pathToFileURL(path).href, import.meta.url)) as { default?: unknown };
  } catch (cause) {
    const message = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new RecipeError([{ file: path, path: [], code: 'recipe_import_failed', message: `cannot import recipe: ${message}`, severity: 'error' }]);
  }
  if (module.default === undefined) {
    throw new RecipeError([
      { file: path, path: [], code: 'recipe_no_default', message: 'a TS recipe must `export default defineRecipe({...})`', severity: 'error' },
    ]);
  }
  const document = normaliseRecipeInput(module.default);
  const source = { file: path, dir: dirname(path), kind: 'ts' as const, hash: sha256(text), workHash: recipeWorkHash(document) };
  const recipe = validateRecipeDocument(document, source, () => undefined);
  return { recipe, locate: () => undefined };
}

import { createHash } from 'node:crypto';
import { extname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { checkRecipeDepth } from './check-recipe-depth.js';
import { normaliseRecipeInput } from './define-recipe.js';
import { canonicalRecipeJson, recipeWorkHash } from './recipe-hash.js';
import type { LoadedRecipe } from './recipe.js';
import { loadTsRecipe } from './load-ts.js';
import { loadYamlRecipe } from './load-yaml.js';
import { validateRecipeDocument } from './validate-document.js';

const YAML_EXTENSIONS = new Set(['.yaml', '.yml']);
const CODE_EXTENSIONS = new Set(['.ts', '.mts', '.js', '.mjs']);

/** Loads and validates a recipe file (YAML or TS); throws RecipeError with every issue found. */
export async function loadRecipe(file: string): Promise<LoadedRecipe> {
  const extension = extname(file).toLowerCase();
  if (YAML_EXTENSIONS.has(extension)) return loadYamlRecipe(file);
  if (CODE_EXTENSIONS.has(extension)) return loadTsRecipe(file);
  throw new UsageError('recipe_extension', `cannot tell the recipe format of ${file}: use .yaml/.yml or .ts/.mts/.js/.mjs`);
}

/**
 * Validates a recipe object passed in code (`runRecipe(defineRecipe({...}))`). Relative seed paths
 * resolve against `baseDir` (default: the working directory).
 */
export function loadRecipeObject(input: unknown, baseDir = process.cwd()): LoadedRecipe {
  const document = normaliseRecipeInput(input);
  checkRecipeDepth(document, '(recipe object)', () => undefined);
  const hash = createHash('sha256').update(canonicalRecipeJson(document)).digest('hex');
  const source = { file: '', dir: resolve(baseDir), kind: 'object' as const, hash, workHash: recipeWorkHash(document) };
  return { recipe: validateRecipeDocument(document, source, () => undefined), locate: () => undefined };
}

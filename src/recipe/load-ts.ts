/**
 * Loads a TS (or JS) recipe: the file default-exports `defineRecipe({...})`. It is imported through
 * tsx, so users need no build step; the module is then validated by the same recipe model as YAML.
 * TS object literals carry no positions, so issues name the file and the key path only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { dirname, extname, join, resolve } from 'node:path';
import { RecipeError } from './recipe-error.js';
import type { LoadedRecipe } from './recipe.js';
import { readRecipeFile, sha256 } from './load-yaml.js';
import { normaliseRecipeInput } from './define-recipe.js';
import { checkRecipeDepth } from './check-recipe-depth.js';
import { recipeWorkHash } from './recipe-hash.js';
import { validateRecipeDocument } from './validate-document.js';

export async function loadTsRecipe(file: string): Promise<LoadedRecipe> {
  const path = resolve(file);
  const text = await readRecipeFile(path);
  const module = await importRecipe(path);
  const exported = unwrapCommonJsDefault(module.default);
  if (exported === undefined) {
    throw new RecipeError([
      { file: path, path: [], code: 'recipe_no_default', message: 'a TS recipe must `export default defineRecipe({...})`', severity: 'error' },
    ]);
  }
  const document = normaliseRecipeInput(exported);
  checkRecipeDepth(document, path, () => undefined);
  const source = { file: path, dir: dirname(path), kind: 'ts' as const, hash: sha256(text), workHash: recipeWorkHash(document) };
  const recipe = validateRecipeDocument(document, source, () => undefined);
  return { recipe, locate: () => undefined };
}

/** Thrown in place of exiting when a recipe calls process.exit while it is imported. */
class RecipeExitAttempt extends Error {
  constructor(readonly exitCode: unknown) {
    super(`the recipe called process.exit(${exitCode === undefined ? '' : String(exitCode)}) while loading`);
  }
}

/**
 * Imports the recipe module with process.exit disarmed: a recipe that exits while loading would
 * otherwise end `synthforge validate` with its own exit code, 0 included, as if it had passed.
 */
async function importRecipe(path: string): Promise<{ default?: unknown }> {
  const realExit = process.exit;
  process.exit = function refuseExit(code?: number | string | null): never {
    throw new RecipeExitAttempt(code);
  } as typeof process.exit;
  try {
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(pathToFileURL(path).href, import.meta.url)) as { default?: unknown };
  } catch (cause) {
    if (cause instanceof RecipeExitAttempt) {
      const message = `${cause.message}; a recipe must only export defineRecipe({...})`;
      throw new RecipeError([{ file: path, path: [], code: 'recipe_called_exit', message, severity: 'error' }]);
    }
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    const hint = commonJsHint(path);
    const message = `cannot import recipe: ${reason}${hint ? `. ${hint}` : ''}`;
    throw new RecipeError([{ file: path, path: [], code: 'recipe_import_failed', message, severity: 'error' }]);
  } finally {
    process.exit = realExit;
  }
}

/**
 * A `.ts` file in a package without `"type": "module"` is compiled to CommonJS, where
 * `export default x` becomes `exports.default = x` and the import's default is the whole exports
 * object, one level too shallow. A recipe never has a `default` key, so unwrapping is unambiguous.
 */
function unwrapCommonJsDefault(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !('default' in value)) return value;
  const exports = value as { default: unknown; __esModule?: unknown; name?: unknown };
  return exports.__esModule === true || exports.name === undefined ? exports.default : value;
}

/** When the recipe is loaded as CommonJS, what to change so it loads as an ES module. */
function commonJsHint(path: string): string | undefined {
  const extension = extname(path).toLowerCase();
  if (extension !== '.ts' && extension !== '.js') return undefined;
  const manifest = nearestPackageJson(dirname(path));
  if (manifest?.type === 'module') return undefined;
  const where = manifest ? `${manifest.path} does not say "type": "module"` : 'no package.json above it says "type": "module"';
  const fix = manifest ? 'add "type": "module" to it, or rename the recipe to .mts' : 'add a package.json with { "type": "module" } beside it, or rename the recipe to .mts';
  return `The recipe is loaded as CommonJS because ${where}; ${fix}`;
}

function nearestPackageJson(start: string): { path: string; type: unknown } | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    if (existsSync(path)) {
      try {
        return { path, type: (JSON.parse(readFileSync(path, 'utf8')) as { type?: unknown }).type };
      } catch {
        return { path, type: undefined };
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

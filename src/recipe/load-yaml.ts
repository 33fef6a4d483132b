/**
 * Loads a YAML recipe with positions: `yaml`'s parseDocument keeps every node's source range, so any
 * issue found later (by zod or by semantic checks) is reported at file:line:col.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { RecipeError, type RecipeIssue } from './recipe-error.js';
import type { LoadedRecipe, Locate } from './recipe.js';
import { recipeWorkHash } from './recipe-hash.js';
import { validateRecipeDocument } from './validate-document.js';

export async function loadYamlRecipe(file: string): Promise<LoadedRecipe> {
  const path = resolve(file);
  const text = await readRecipeFile(path);
  return parseYamlRecipe(text, path);
}

export function parseYamlRecipe(text: string, path: string): LoadedRecipe {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new RecipeError(document.errors.map((error) => yamlErrorToIssue(error, path)));
  }
  const locate = locatorFor(document, lineCounter);
  const json = document.toJS({ maxAliasCount: 100 }) as unknown;
  const source = { file: path, dir: dirname(path), kind: 'yaml' as const, hash: sha256(text), workHash: recipeWorkHash(json) };
  const recipe = validateRecipeDocument(json, source, locate);
  return { recipe, locate };
}

export async function readRecipeFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(cause);
    throw new RecipeError([{ file: path, path: [], code: 'recipe_unreadable', message: `cannot read recipe: ${reason}`, severity: 'error' }]);
  }
}

function yamlErrorToIssue(error: { code: string; message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }, file: string): RecipeIssue {
  const position = error.linePos?.[0];
  const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return {
    file,
    ...(position ? { line: position.line, column: position.col } : {}),
    path: [],
    code: `yaml_${error.code.toLowerCase()}`,
    message: `YAML syntax: ${message}`,
    severity: 'error',
  };
}

/** Finds the node at a key path; when the path does not exist (a missing key), its nearest ancestor. */
function locatorFor(document: Document, lineCounter: LineCounter): Locate {
  return (path, options = {}) => {
    let node: unknown = document.contents;
    let best: Node | undefined = document.contents ?? undefined;
    for (let index = 0; index < path.length; index++) {
      const segment = path[index];
      const last = index === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) break;
        if (last && options.key && isScalar(pair.key)) {
          best = pair.key;
          break;
        }
        node = pair.value;
        best = (pair.value as Node | null) ?? (pair.key as Node);
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
        if (!node) break;
        best = node as Node;
      } else {
        break;
      }
    }
    const offset = best?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Loads a YAML recipe with positions: `yaml`'s parseDocument keeps every node's source range, so any
 * issue found later (by zod or by semantic checks) is reported at file:line:col.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { findInvalidUtf8, formatByte } from '../seeds/find-invalid-utf8.js';
import { MAX_NESTING } from '../seeds/find-too-deep.js';
import { checkRecipeDepth } from './check-recipe-depth.js';
import { findTooDeepYaml } from './find-too-deep-yaml.js';
import { RecipeError, type RecipeIssue } from './recipe-error.js';
import type { LoadedRecipe, Locate } from './recipe.js';
import { recipeWorkHash } from './recipe-hash.js';
import { validateRecipeDocument } from './validate-document.js';

/** How far aliases may expand (see toPlainData); a recipe reuses a schema or a list a few times at most. */
const MAX_ALIAS_EXPANSION = 100;

export async function loadYamlRecipe(file: string): Promise<LoadedRecipe> {
  const path = resolve(file);
  const text = await readRecipeFile(path);
  return parseYamlRecipe(text, path);
}

export function parseYamlRecipe(text: string, path: string): LoadedRecipe {
  const lineCounter = new LineCounter();
  checkYamlDepth(text, path);
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new RecipeError(document.errors.map((error) => yamlErrorToIssue(error, path)));
  }
  const locate = locatorFor(document, lineCounter);
  const json = toPlainData(document, lineCounter, path);
  checkRecipeDepth(json, path, locate);
  const source = { file: path, dir: dirname(path), kind: 'yaml' as const, hash: sha256(text), workHash: recipeWorkHash(json) };
  const recipe = validateRecipeDocument(json, source, locate);
  return { recipe, locate };
}

/** Reads a recipe file as strict UTF-8: a stray Latin-1 byte is an issue at its line, not a U+FFFD in a prompt. */
export async function readRecipeFile(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(cause);
    throw new RecipeError([{ file: path, path: [], code: 'recipe_unreadable', message: `cannot read recipe: ${reason}`, severity: 'error' }]);
  }
  const invalid = findInvalidUtf8(bytes);
  if (invalid !== undefined) {
    const message = `the recipe is not valid UTF-8 (first bad byte ${formatByte(invalid.byte)} on this line); save it as UTF-8`;
    throw new RecipeError([{ file: path, line: invalid.line, column: invalid.column, path: [], code: 'recipe_not_utf8', message, severity: 'error' }]);
  }
  return bytes.toString('utf8');
}

function checkYamlDepth(text: string, path: string): void {
  const offset = findTooDeepYaml(text, MAX_NESTING);
  if (offset === undefined) return;
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
    line += 1;
    lineStart = index + 1;
  }
  const col = offset - lineStart + 1;
  const message = `YAML nests deeper than ${MAX_NESTING} levels here; a recipe may nest at most ${MAX_NESTING} levels of lists and mappings`;
  throw new RecipeError([{ file: path, line, column: col, path: [], code: 'yaml_too_deep', message, severity: 'error' }]);
}

/**
 * The document as plain data. Anchors and aliases are resolved here, so this is where an alias bomb
 * (each level aliasing the previous one nine times: a billion nodes from a few lines) is stopped:
 * `yaml` refuses once an anchor's uses times the aliases inside it pass MAX_ALIAS_EXPANSION. Aliases
 * can also stack depth beyond what the text shows, which the recursive conversion cannot survive.
 */
function toPlainData(document: Document, lineCounter: LineCounter, path: string): unknown {
  try {
    return document.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION }) as unknown;
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      const at = firstAliasPosition(document, lineCounter);
      const message =
        `YAML aliases expand too much (uses of an anchor times the aliases inside it exceed ${MAX_ALIAS_EXPANSION}); ` +
        'write the repeated values out instead';
      throw new RecipeError([{ file: path, ...(at ?? {}), path: [], code: 'yaml_alias_limit', message, severity: 'error' }]);
    }
    if (error instanceof RangeError) {
      const message = `YAML aliases nest the recipe too deep to read; a recipe may nest at most ${MAX_NESTING} levels of lists and mappings`;
      throw new RecipeError([{ file: path, path: [], code: 'yaml_too_deep', message, severity: 'error' }]);
    }
    throw error;
  }
}

function firstAliasPosition(document: Document, lineCounter: LineCounter): { line: number; column: number } | undefined {
  let offset: number | undefined;
  visit(document, {
    Alias(_key, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  if (offset === undefined) return undefined;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
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

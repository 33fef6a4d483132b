/**
 * Turns zod issues into recipe issues a user can act on: each unknown key gets its own issue at the
 * key's own position, with the closest allowed key suggested; "received undefined" becomes
 * "missing required key".
 */
import type { z } from 'zod';
import { didYouMean, toIssuePath } from '../issues.js';
import type { RecipeIssue } from './recipe-error.js';
import type { Locate } from './recipe.js';

type Path = (string | number)[];

export function zodIssuesToRecipeIssues(
  error: z.ZodError,
  context: { file: string; prefix: Path; locate: Locate; allowedKeys?: (path: Path) => string[]; value?: unknown },
): RecipeIssue[] {
  const issues: RecipeIssue[] = [];
  for (const issue of error.issues) {
    const relative = toIssuePath(issue.path);
    const path = [...context.prefix, ...relative];
    if (issue.code === 'unrecognized_keys') {
      const allowed = context.allowedKeys?.(path) ?? [];
      for (const key of issue.keys) {
        issues.push(makeIssue(context, [...path, key], 'unknown_key', unknownKeyMessage(key, allowed), true));
      }
      continue;
    }
    if (relative.length > 0 && context.value !== undefined && isMissing(context.value, relative)) {
      const key = String(relative[relative.length - 1]);
      issues.push(makeIssue(context, path, 'missing_key', `missing required key "${key}" (${describeIssue(issue).replace(/^missing required key \((.*)\)$/, '$1')})`));
      continue;
    }
    issues.push(makeIssue(context, path, codeOf(issue), describeIssue(issue)));
  }
  return issues;
}

/** True when the last key of `path` is absent from its parent inside `value`. */
function isMissing(value: unknown, path: Path): boolean {
  let node: unknown = value;
  for (const segment of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node !== null && typeof node === 'object' && !Object.prototype.hasOwnProperty.call(node, path[path.length - 1]!);
}

function makeIssue(
  context: { file: string; locate: Locate },
  path: Path,
  code: string,
  message: string,
  atKey = false,
): RecipeIssue {
  const position = context.locate(path, { key: atKey });
  return { file: context.file, ...(position ?? {}), path, code, message, severity: 'error' };
}

/** A refinement may name its own code in `params.code` (filter specs do); zod's own code otherwise. */
function codeOf(issue: z.core.$ZodIssue): string {
  const code = issue.code === 'custom' ? (issue.params as { code?: unknown } | undefined)?.code : undefined;
  return typeof code === 'string' ? code : issue.code;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const message = issue.message.replace(/^Invalid input: /, '');
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
    return `missing required key (${message.replace(/, received undefined$/, '')})`;
  }
  return message;
}

function unknownKeyMessage(key: string, allowed: string[]): string {
  const suggestion = didYouMean(key, allowed);
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
  const list = allowed.length > 0 ? `; expected one of: ${allowed.join(', ')}` : '';
  return `unknown key "${key}"${hint}${list}`;
}

/** The keys a strict object schema accepts at `path` inside `schema` (for "did you mean" hints). */
export function allowedKeysAt(schema: z.ZodType, path: Path): string[] {
  let node: unknown = schema;
  for (const segment of path) {
    node = unwrap(node);
    const def = defOf(node);
    if (def?.type === 'object' && typeof segment === 'string') node = (def.shape as Record<string, unknown>)[segment];
    else if (def?.type === 'array' && typeof segment === 'number') node = def.element;
    else if (def?.type === 'record') node = def.valueType;
    else return [];
  }
  const def = defOf(unwrap(node));
  return def?.type === 'object' ? Object.keys(def.shape as object) : [];
}

type Def = { type: string; [key: string]: unknown };

function defOf(node: unknown): Def | undefined {
  return (node as { _zod?: { def?: Def } } | undefined)?._zod?.def;
}

function unwrap(node: unknown): unknown {
  for (;;) {
    const def = defOf(node);
    if (!def) return node;
    if (['optional', 'default', 'nullable', 'prefault', 'readonly', 'catch'].includes(def.type)) node = def.innerType;
    else if (def.type === 'pipe') node = def.in;
    else return node;
  }
}

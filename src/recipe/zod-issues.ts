/**
 * Turns zod issues into recipe issues a user can act on: each unknown key gets its own issue at the
 * key's own position, with the closest allowed key suggested; "received undefined" becomes
 * "missing required key".
 */
import type { z } from 'zod';
import type { RecipeIssue } from './recipe-error.js';
import type { Locate } from './recipe.js';

type Path = (string | number)[];

export function zodIssuesToRecipeIssues(
  error: z.ZodError,
  context: { file: string; prefix: Path; locate: Locate; allowedKeys?: (path: Path) => string[]; value?: unknown },
): RecipeIssue[] {
  const issues: RecipeIssue[] = [];
  for (const issue of error.issues) {
    const path = [...context.prefix, ...(issue.path as Path)];
    if (issue.code === 'unrecognized_keys') {
      const allowed = context.allowedKeys?.(path) ?? [];
      for (const key of issue.keys) {
        issues.push(makeIssue(context, [...path, key], 'unknown_key', unknownKeyMessage(key, allowed), true));
      }
      continue;
    }
    const relative = issue.path as Path;
    if (relative.length > 0 && context.value !== undefined && isMissing(context.value, relative)) {
      const key = String(relative[relative.length - 1]);
      issues.push(makeIssue(context, path, 'missing_key', `missing required key "${key}" (${describeIssue(issue).replace(/^missing required key \((.*)\)$/, '$1')})`));
      continue;
    }
    issues.push(makeIssue(context, path, issue.code, describeIssue(issue)));
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

function describeIssue(issue: z.core.$ZodIssue): string {
  const message = issue.message.replace(/^Invalid input: /, '');
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
    return `missing required key (${message.replace(/, received undefined$/, '')})`;
  }
  return message;
}

export function unknownKeyMessage(key: string, allowed: string[]): string {
  const suggestion = closest(key, allowed);
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
  const list = allowed.length > 0 ? `; expected one of: ${allowed.join(', ')}` : '';
  return `unknown key "${key}"${hint}${list}`;
}

/** The allowed key nearest to a typo, if it is close enough to be a plausible typo. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
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

/**
 * One shape for every complaint about a value or a schema, whether it came from zod or ajv.
 * `path` stays an array until it is printed, so callers can prefix it or compare it.
 */
export type SchemaIssue = { code: string; path: (string | number)[]; message: string };
export type Checked<T> = { ok: true; value: T } | { ok: false; issues: SchemaIssue[] };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `['answer', 2, 'text']` → `answer[2].text`; `[]` → `(root)`. Keys that are not identifiers are quoted. */
export function formatPath(path: (string | number)[]): string {
  if (path.length === 0) return '(root)';
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** One line per issue: `answer[2].text: expected string, got null`. */
export function formatIssues(issues: SchemaIssue[]): string {
  return issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('\n');
}

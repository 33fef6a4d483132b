/**
 * One shape for every complaint about something a user wrote: a recipe, a schema, a value checked
 * against a schema, a filter spec. `path` stays an array until it is printed, so a caller can prefix
 * it (a step's schema sits at `steps[2].schema`) or compare it; `code` is stable, `message` is prose.
 *
 * A leaf: it imports nothing from the project, so every module can use it.
 */
export interface Issue {
  code: string;
  path: (string | number)[];
  message: string;
}

/** A value that passed a check, or every issue that rejects it. */
export type Checked<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

/** A path as zod reports it (a key may be a symbol) in the `Issue` form; a symbol key prints as `Symbol(name)`. */
export function toIssuePath(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * `['answer', 2, 'text']` → `answer[2].text`; `[]` → `(root)`. A key that is not an identifier is
 * quoted (`user["first name"]`, `["a.b"]`), so a key holding a dot cannot read as two keys.
 */
export function formatPath(path: readonly (string | number)[]): string {
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
export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('\n');
}

/**
 * The candidate a typo most likely meant, for "did you mean" hints; `undefined` when none is close.
 *
 * Case is ignored, and swapping two neighbouring letters counts as one edit (`minLenght` is one edit
 * from `minLength`). A candidate is close when it is at most max(2, ⌊length / 3⌋) edits away, the
 * length being the typo's: two edits for words up to 8 characters, three from 9, four from 12.
 * Two edits alone would miss longer keys with a third slip; a fixed fraction alone would suggest
 * nothing for short keys. On a tie the candidate listed first wins.
 */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const typo = input.toLowerCase();
  const limit = Math.max(2, Math.floor(input.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(typo, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance with an adjacent transposition counted as one edit (optimal string alignment). */
function editDistance(a: string, b: string): number {
  // Three rolling rows: the transposition step looks two rows back.
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, beforePrevious[j - 2]! + 1);
      current[j] = value;
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length]!;
}

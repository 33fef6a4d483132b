import { formatRecipeIssue, type RecipeIssue } from '../../recipe/recipe-error.js';
import { terminalSafeLines } from './terminal-text.js';

/** One line per issue: `file:line:col  path  message`, errors first. */
export function renderRecipeIssues(issues: RecipeIssue[]): string {
  const sorted = [...issues].sort((a, b) => (a.severity === b.severity ? (a.line ?? 0) - (b.line ?? 0) : a.severity === 'error' ? -1 : 1));
  return terminalSafeLines(sorted.map(formatRecipeIssue).join('\n'));
}

import { UsageError } from '../errors.js';
import { formatPath, type Issue } from '../issues.js';
import type { PartialRecipe } from './recipe.js';

/**
 * One problem in a recipe, where the recipe file says it. `path` is the key path inside the recipe
 * document (`steps[2].prompt`); `line`/`column` (1-based) are known for YAML recipes and absent for
 * TS recipes, which have no positions for their object literals.
 */
export interface RecipeIssue extends Issue {
  file: string;
  line?: number;
  column?: number;
  severity: 'error' | 'warning';
}

/** Every issue found in a recipe, thrown once after all checks ran (so users fix them in one pass). */
export class RecipeError extends UsageError {
  readonly issues: RecipeIssue[];
  /** When the schema failed: the parts of the recipe that passed it, to be compiled for their own issues. */
  readonly partial: PartialRecipe | undefined;

  constructor(issues: RecipeIssue[], partial?: PartialRecipe) {
    const errors = issues.filter((issue) => issue.severity === 'error');
    const first = errors[0] ?? issues[0];
    const summary = first ? formatRecipeIssue(first) : 'invalid recipe';
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    super('recipe_invalid', `${summary}${more}`, { details: { issues } });
    this.name = 'RecipeError';
    this.issues = issues;
    this.partial = partial;
  }
}

/** `support-qa.yaml:14:9  steps[0].schema  unknown key "minLenght"` */
export function formatRecipeIssue(issue: RecipeIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  const tag = issue.severity === 'warning' ? 'warning: ' : '';
  return `${where}  ${formatPath(issue.path)}  ${tag}${issue.message}`;
}

import type { ValidateReport } from '../commands/validate.js';
import { describeProductSeed } from './plan.js';
import { renderRecipeIssues } from './recipe-issues.js';
import { terminalSafeLines } from './terminal-text.js';

/**
 * `recipe.yaml: valid (2 steps: question, answer)`, then one line per product source with its count,
 * with `--data` how many seed records were read, and the recipe's warnings, one per line.
 */
export function renderValidate(report: ValidateReport): string {
  const lines = [`${report.recipe}: valid (${report.steps.length} steps: ${report.steps.map((step) => step.name).join(', ')})`];
  for (const product of report.products) lines.push(`  ${describeProductSeed(product)}`);
  if (report.seedRecords !== undefined) lines.push(`seed data: ${report.seedRecords} records read, all well-formed`);
  const warnings = report.warnings.length > 0 ? `\n${renderRecipeIssues(report.warnings)}` : '';
  return terminalSafeLines(lines.join('\n')) + warnings;
}

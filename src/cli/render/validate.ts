import type { ValidateReport } from '../commands/validate.js';

/** `recipe.yaml: valid (2 steps: question, answer)`, and with `--data` how many seed records were read. */
export function renderValidate(report: ValidateReport): string {
  const lines = [`${report.recipe}: valid (${report.steps.length} steps: ${report.steps.map((step) => step.name).join(', ')})`];
  if (report.seedRecords !== undefined) lines.push(`seed data: ${report.seedRecords} records read, all well-formed`);
  return lines.join('\n');
}

import { SynthforgeError } from '../errors.js';
import { findEvalFiles } from '../decontam/eval-set-files.js';
import type { DecontaminateStep } from '../recipe/recipe.js';

export interface StepIssue {
  path: (string | number)[];
  code: string;
  message: string;
}

/**
 * What compiling can check of a decontaminate step without reading an evaluation set: every
 * `against` entry exists and is (or holds) a readable kind of file, and the compared record fields
 * are provided by the seeds or an earlier step. Issues point at the entry, so a missing file is
 * reported at its recipe line and column.
 */
export async function checkDecontaminateStep(step: DecontaminateStep, baseDir: string, available: ReadonlySet<string>): Promise<StepIssue[]> {
  const issues: StepIssue[] = [];
  for (const [position, written] of step.against.entries()) {
    try {
      await findEvalFiles(written, baseDir);
    } catch (error) {
      if (!SynthforgeError.isInstance(error)) throw error;
      issues.push({ path: ['steps', step.index, 'against', position], code: error.code, message: error.message });
    }
  }
  for (const [position, field] of step.fields.entries()) {
    const top = field.split('.')[0] ?? field;
    if (available.has(top)) continue;
    const known = [...available].sort().join(', ') || '(none)';
    issues.push({ path: ['steps', step.index, 'fields', position], code: 'unknown_field', message: `field "${field}" is not provided by the seeds or an earlier step; known: ${known}` });
  }
  return issues;
}

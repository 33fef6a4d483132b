import { compileFilter } from '../filters/compile-filter.js';
import { FilterTally } from '../filters/filter-tally.js';
import type { FilterStep } from '../recipe/recipe.js';
import { filterRequiredFields, missingFilterField } from './filter-required-fields.js';
import { readRecordLines, writeRecords } from './stage-files.js';
import type { StageFlow } from './stage-tap.js';
import { countRejected, type StepCounts } from './run-report.js';
import { rejectionExample, type StepRejects } from './step-rejects.js';

/**
 * A filter step: keeps records every rule accepts; each removed record is counted by its rule. A
 * record lacking a field a rule needs is rejected as bad input instead (filter-required-fields.ts).
 */
export async function runFilterStep(step: FilterStep, inputPath: string, outputPath: string, rejects: StepRejects, flow: StageFlow = {}): Promise<StepCounts> {
  const filter = compileFilter(step.spec);
  const required = filterRequiredFields(step.spec);
  const tally = new FilterTally(filter.rules);
  const counts: StepCounts = { input: 0, output: 0 };
  // A kept record is unchanged: its line goes through as read.
  async function* kept(): AsyncIterable<Buffer> {
    for await (const { record, line } of readRecordLines(inputPath, flow.input)) {
      counts.input++;
      const missing = missingFilterField(record.fields, required);
      if (missing !== undefined) {
        countRejected(counts, rejectionExample(record, missing));
        await rejects.error(record, step.name, missing);
        continue;
      }
      const verdict = filter.test(record.fields);
      tally.count(verdict);
      if (verdict.keep) {
        counts.output++;
        yield line;
      } else {
        await rejects.removed(record, step.name, 'filtered', `${verdict.rule}: ${verdict.detail}`);
      }
    }
  }
  await writeRecords(outputPath, kept(), flow.output ? { tap: flow.output } : {});
  counts.filtered = tally.toJSON();
  return counts;
}

import type { DataRecord } from '../domain.js';
import { EvalIndex } from '../decontam/eval-index.js';
import { lookupFieldPath } from '../dedup/deduper.js';
import type { DecontaminateStep } from '../recipe/recipe.js';
import { countRejected, type StepCounts } from './run-report.js';
import { readRecordLines, writeRecords } from './stage-files.js';
import type { StageFlow } from './stage-tap.js';
import { rejectionExample, type StepRejects } from './step-rejects.js';

/**
 * A decontaminate step: indexes the evaluation sets (paths relative to the recipe's folder), then
 * streams the stage, keeping records none of whose compared fields shares a word n-gram with an
 * evaluation item. A removed record goes to the rejects file with the item and n-gram it matched;
 * a record lacking a compared field is rejected as bad input, as filters do.
 */
export async function runDecontaminateStep(
  step: DecontaminateStep,
  inputPath: string,
  outputPath: string,
  rejects: StepRejects,
  baseDir: string,
  flow: StageFlow = {},
): Promise<StepCounts> {
  const index = await EvalIndex.build({ against: step.against, ngram: step.ngram, baseDir, ...(step.eval_fields ? { evalFields: step.eval_fields } : {}) });
  const counts: StepCounts = { input: 0, output: 0, contaminated: 0 };
  // A kept record is unchanged: its line goes through as read.
  async function* kept(): AsyncIterable<Buffer> {
    for await (const { record, line } of readRecordLines(inputPath, flow.input)) {
      counts.input++;
      const texts = comparedTexts(record, step.fields);
      if (typeof texts === 'string') {
        const reason = `missing field "${texts}" the decontaminate step compares`;
        countRejected(counts, rejectionExample(record, reason));
        await rejects.error(record, step.name, reason);
        continue;
      }
      const match = index.match(texts);
      if (match === undefined) {
        counts.output++;
        yield line;
      } else {
        counts.contaminated!++;
        await rejects.contaminated(record, step.name, match);
      }
    }
  }
  await writeRecords(outputPath, kept(), flow.output ? { tap: flow.output } : {});
  return counts;
}

/** The texts of the compared fields (non-strings as JSON), or the name of the first missing one. */
export function comparedTexts(record: DataRecord, fields: readonly string[]): string[] | string {
  const texts: string[] = [];
  for (const field of fields) {
    const found = lookupFieldPath(record.fields, field);
    if (!found.found) return field;
    if (typeof found.value === 'string') texts.push(found.value);
    else if (found.value !== null) texts.push(JSON.stringify(found.value));
  }
  return texts;
}

/**
 * The recipe's `max_error_rate`: the share of the records reaching a step that the step may reject
 * as bad input before the run stops. Checked after every local step and after a generate step is
 * planned, before its first shard is submitted, so a corpus that is mostly broken costs nothing.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { ErrorRateExceededError } from './errors.js';
import type { StepCounts } from './run-report.js';
import { countLinesSync } from './stage-files.js';

const SHOWN_EXAMPLES = 3;

/** Throws when `rejected` of `records` is more than `maxErrorRate` allows (0 allows none, 1 any). */
export function checkErrorRate(input: { step: string; records: number; rejected: StepCounts['rejected']; maxErrorRate: number; rejectsFile: string }): void {
  const rejected = input.rejected?.count ?? 0;
  if (rejected === 0 || input.records === 0 || rejected / input.records <= input.maxErrorRate) return;
  const percent = ((rejected / input.records) * 100).toFixed(1);
  const examples = (input.rejected?.examples ?? []).slice(0, SHOWN_EXAMPLES).map((example) => `  ${example}`);
  const more = rejected > examples.length ? [`  … and ${rejected - examples.length} more`] : [];
  throw new ErrorRateExceededError(
    [
      `step ${input.step} rejected ${rejected} of ${input.records} records (${percent}%), more than max_error_rate ${input.maxErrorRate} allows; the run stopped before sending anything more:`,
      ...examples,
      ...more,
      `rejected records: ${input.rejectsFile}`,
      'Fix those records and start a new run with --fresh, or raise max_error_rate in the recipe and run the same command again to continue this run.',
    ].join('\n'),
    { step: input.step, records: input.records, rejected, maxErrorRate: input.maxErrorRate, rejectsFile: input.rejectsFile },
  );
}

/**
 * The count and first examples of a rejects file (step-rejects.ts), read without holding it: what
 * the planner rejected is only on disk, and the check runs from a synchronous progress event.
 */
export function rejectsFileTally(path: string): NonNullable<StepCounts['rejected']> {
  const count = countLinesSync(path);
  const head = Buffer.allocUnsafe(1 << 20);
  const descriptor = openSync(path, 'r');
  let read: number;
  try {
    read = readSync(descriptor, head);
  } finally {
    closeSync(descriptor);
  }
  const examples: string[] = [];
  for (const line of head.toString('utf8', 0, read).split('\n').slice(0, Math.min(count, SHOWN_EXAMPLES))) {
    try {
      const reject = JSON.parse(line) as { id: string; source?: string; reason: string };
      examples.push(`${reject.source ?? reject.id}: ${reject.reason}`);
    } catch {
      // A line longer than the head: fewer examples, the count is still right.
      break;
    }
  }
  return { count, examples };
}

/**
 * The recipe's two thresholds on a step's failures:
 * - `max_error_rate`: the share of the records reaching a step that the step may reject as bad input
 *   before the run stops. Checked after every local step and after a generate step is planned,
 *   before its first shard is submitted, so a corpus that is mostly broken costs nothing.
 * - `min_valid_rate`: the share of a generate step's samples that must be valid once every attempt is
 *   spent; a step with no valid sample at all always fails. Checked before the next step runs, so
 *   nothing is published from a step whose answers mostly failed.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { ErrorRateExceededError, StepOutputTooLowError } from './errors.js';
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

/** Throws when a generate step's valid samples fall below `minValidRate` of those requested, or are none. */
export function checkValidRate(input: { step: string; counts: StepCounts; minValidRate: number }): void {
  const requested = input.counts.requested ?? 0;
  const valid = input.counts.succeeded ?? 0;
  if (requested === 0 || (valid > 0 && valid / requested >= input.minValidRate)) return;
  const reasons = Object.entries(input.counts.invalid ?? {})
    .sort(([, a], [, b]) => (b?.count ?? 0) - (a?.count ?? 0))
    .map(([reason, entry]) => `  ${reason}: ${entry?.count ?? 0}${entry?.examples[0] ? ` (e.g. ${entry.examples[0]})` : ''}`);
  const share = ((valid / requested) * 100).toFixed(1);
  throw new StepOutputTooLowError(
    [
      valid === 0
        ? `step ${input.step} produced no valid sample of ${requested} requested; nothing was published:`
        : `step ${input.step} produced ${valid} valid samples of ${requested} (${share}%), fewer than min_valid_rate ${input.minValidRate} asks; nothing was published:`,
      ...reasons,
      'The valid answers are kept in the cache. Fix the cause (key, model, prompt or schema) and run again with --fresh: only the failed samples are sent. ' +
        'To publish what came back instead, lower min_valid_rate in the recipe and run the same command again.',
    ].join('\n'),
    { step: input.step, requested, valid, minValidRate: input.minValidRate },
  );
}

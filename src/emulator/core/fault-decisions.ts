/**
 * Fault decisions as pure functions. A line's fate depends on (seed, custom_id, attempt), where attempt is how
 * many times this server had already seen that custom_id: resubmitting a failed line rolls a fresh number,
 * and a fresh emulator with the same seed replays the same choices.
 *
 * Line faults partition [0, 1) in the order of LINE_FAULT_RATES, so their rates add up exactly and each line
 * gets at most one. Batch faults use their own hash of (seed, batch key, attempt), where the batch key is the
 * list of custom_ids in input order.
 */
import type { FaultOptions } from './emulator-options.js';
import type { FaultTally } from './emulator-stats.js';
import { hashUnit } from './seeded-random.js';

export type LineFault =
  | 'none'
  | 'line_error'
  | 'refusal'
  | 'truncation'
  | 'malformed_json'
  | 'schema_invalid'
  | 'near_duplicate';

export type BatchFault = 'none' | 'fail_validation' | 'expire';

const LINE_FAULT_ORDER: readonly [Exclude<LineFault, 'none'>, keyof FaultOptions][] = [
  ['line_error', 'lineErrorRate'],
  ['refusal', 'refusalRate'],
  ['truncation', 'truncationRate'],
  ['malformed_json', 'malformedJsonRate'],
  ['schema_invalid', 'schemaInvalidRate'],
  ['near_duplicate', 'nearDuplicateRate'],
];

export function decideLineFault(faults: FaultOptions, customId: string, attempt: number): LineFault {
  const roll = hashUnit('line-fault', faults.seed, customId, attempt);
  let upper = 0;
  for (const [fault, rateKey] of LINE_FAULT_ORDER) {
    upper += faults[rateKey] as number;
    if (roll < upper) return fault;
  }
  return 'none';
}

/** `fail_validation` applies to OpenAI and Gemini (Anthropic has no validation phase). */
export function decideBatchFault(
  faults: FaultOptions,
  provider: 'openai' | 'anthropic' | 'gemini',
  batchKey: string,
  attempt: number,
): BatchFault {
  const roll = hashUnit('batch-fault', faults.seed, provider, batchKey, attempt);
  if (roll < faults.failValidationRate) return provider === 'anthropic' ? 'none' : 'fail_validation';
  if (roll < faults.failValidationRate + faults.expireRate) return 'expire';
  return 'none';
}

/** In an expiring batch, whether this line finished before the window closed (about half do). */
export function finishesBeforeExpiry(faults: FaultOptions, batchKey: string, customId: string): boolean {
  return hashUnit('expiry', faults.seed, batchKey, customId) < 0.5;
}

export function decideSyncError(faults: FaultOptions, requestKey: string, attempt: number): boolean {
  return hashUnit('sync-error', faults.seed, requestKey, attempt) < faults.syncErrorRate;
}

/** Sort key that puts result lines in a seeded order unrelated to input order. */
export function resultOrderKey(faults: FaultOptions, customId: string): number {
  return hashUnit('result-order', faults.seed, customId);
}

/**
 * The `createErrors` fault, the one fault that is a queue rather than a seeded roll: the HTTP status the next
 * batch-create call of any provider must fail with (taken off the list and counted), or undefined. Each
 * vendor turns the status into its own error body.
 */
export function takeCreateErrorStatus(faults: FaultOptions, injected: FaultTally): number | undefined {
  const status = faults.createErrors.shift();
  if (status !== undefined) injected.createErrors++;
  return status;
}

/** The `listErrors` fault: the HTTP status the next batch-list call must fail with (taken off the list and counted), or undefined. */
export function takeListErrorStatus(faults: FaultOptions, injected: FaultTally): number | undefined {
  const status = faults.listErrors.shift();
  if (status !== undefined) injected.listErrors++;
  return status;
}

/**
 * Repair turns as the emulator sees them: a request whose last user turn asks for "the corrected JSON"
 * (after the model's own invalid answer) is a client asking a model to fix its answer. The emulator
 * recognises it by that wording alone, its own rule, sharing no code with the engine that writes such
 * turns: if the two drifted apart, the end-to-end tests would count no repairs.
 *
 * A repair turn gets no content fault of its own: it is answered validly with probability
 * `repairSuccessRate` (seeded by the line, like every fault) and schema-invalid otherwise.
 */
import { UsageError } from '../../errors.js';
import type { FaultOptions } from './emulator-options.js';
import { hashUnit } from './seeded-random.js';

const REPAIR_REQUEST = /\bcorrected JSON\b/i;

export function isRepairTurn(lastUserText: string): boolean {
  return REPAIR_REQUEST.test(lastUserText);
}

/** Whether this line, if it is a repair turn, is answered validly. */
export function decideRepairValid(faults: FaultOptions, identity: string, attempt: number): boolean {
  // Batches recorded before the option existed carry no rate: their repair turns are answered validly.
  return hashUnit('repair', faults.seed, identity, attempt) < (faults.repairSuccessRate ?? 1);
}

export const REPAIR_RATE_VARIABLE = 'SYNTHFORGE_EMULATOR_REPAIR_SUCCESS_RATE';

/** `repairSuccessRate` from the environment, when set; a value that is not a rate in [0, 1] is refused by name. */
export function repairRateFromEnv(env: Readonly<Record<string, string | undefined>>): Partial<FaultOptions> {
  const text = env[REPAIR_RATE_VARIABLE];
  if (text === undefined || text.trim() === '') return {};
  const rate = Number(text);
  if (!(rate >= 0 && rate <= 1)) throw new UsageError('emulator_options_invalid', `${REPAIR_RATE_VARIABLE} must be a number in [0, 1], got ${JSON.stringify(text)}`);
  return { repairSuccessRate: rate };
}

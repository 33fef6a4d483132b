/**
 * The repair turn: the user message that follows a model's invalid answer when it is asked again.
 * Resampling the same prompt mostly brings back the same mistake (at temperature 0, always); showing
 * the model its answer and what was wrong with it, at the paths where it was wrong, usually does not.
 *
 * The last sentence is fixed: it asks for the corrected JSON only, whatever the provider's
 * structured-output form, so the answer to a repair turn is checked like any first answer.
 */

export type RepairReason = 'not_json' | 'schema_violation';

export interface RepairTurnInput {
  reason: RepairReason;
  /** The validator's findings, one line each (`` `/answer`: expected string, got null ``), already capped. */
  errors: readonly string[];
}

export const REPAIR_TURN_CLOSING = 'Reply with the corrected JSON only: one JSON value that satisfies the required schema, with no text before or after it.';

export function renderRepairTurn(input: RepairTurnInput): string {
  const opening =
    input.reason === 'not_json'
      ? 'Your answer above is not valid JSON. The parser said:'
      : 'Your answer above does not satisfy the required JSON schema. The validator found:';
  return [opening, ...input.errors.map((error) => `- ${error}`), '', REPAIR_TURN_CLOSING].join('\n');
}

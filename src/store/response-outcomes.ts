/**
 * Why a sample is (not) usable. `valid` is the only success. The position of each value is its code
 * in a shard's `outcomes` bytes: append new values, never reorder (that would need a new version).
 */
export const RESPONSE_OUTCOMES = [
  'valid',
  'not_json',
  'schema_violation',
  'refusal',
  'truncated',
  'provider_error',
  'expired',
  'canceled',
  'missing',
] as const;
export type ResponseOutcome = (typeof RESPONSE_OUTCOMES)[number];

import type { BatchItemResult } from './batch-provider.js';

/** A result line converted, or why it could not be (with its id when one was readable): `malformed_result_line`. */
export type ConvertedLine = BatchItemResult | { customId?: string; malformed: string };

/** A result line's JSON object, or why it is not one. */
export function resultLineObject(text: string): { json: Record<string, unknown> } | { malformed: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { malformed: 'result line is not JSON' };
  }
  return isObject(json) ? { json } : { malformed: 'result line is not a JSON object' };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

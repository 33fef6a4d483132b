/**
 * Anthropic's result-line converter as a `ResultDecoderModule` (batch-provider.ts): what the adapter's
 * `results` applies to each line of a batch's results file, loadable by URL from a worker thread.
 */
import type { BatchItemResult, ProviderCapabilities } from '../batch-provider.js';
import { ANTHROPIC_CAPABILITIES } from './anthropic-capabilities.js';
import { convertAnthropicResultLine } from './anthropic-result.js';

/** This module's own URL (`.ts` under tsx, `.js` from dist/), for `ResultDecoder.module`. */
export const ANTHROPIC_RESULT_DECODER = import.meta.url;

export function decodeResultLine(line: string): BatchItemResult | undefined {
  const result = convertAnthropicResultLine(line);
  if ('outcome' in result) return result;
  // A line without a readable custom_id cannot be matched; its request shows up as missing.
  if (!result.customId) return undefined;
  return { customId: result.customId, outcome: 'errored', error: { code: 'malformed_result_line', message: result.malformed, retryable: true } };
}

export const normalizeAnswer: ProviderCapabilities['normalizeAnswer'] = (value, schema, mode) => ANTHROPIC_CAPABILITIES.normalizeAnswer(value, schema, mode);

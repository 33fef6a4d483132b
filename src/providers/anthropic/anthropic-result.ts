/**
 * A line of Message Batch results → a provider-neutral result. `invalid_request_error` means the
 * request itself is wrong (sending it again fails again); other error types are transient, except an
 * authentication or permission error, which gets the code PROVIDER_AUTH_CODE.
 */
import type { BatchItemResult } from '../batch-provider.js';
import { isObject, resultLineObject, type ConvertedLine } from '../result-line.js';
import { PROVIDER_AUTH_CODE } from '../errors.js';

interface ContentBlock {
  type: string;
  text?: string;
  input?: unknown;
}

interface ResultLine {
  custom_id: string;
  result:
    | { type: 'succeeded'; message: { model?: string; content: ContentBlock[]; stop_reason?: string | null; usage?: AnthropicUsage } }
    | { type: 'errored'; error: { error?: { type?: string; message?: string } } }
    | { type: 'canceled' }
    | { type: 'expired' };
}

interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** A line that could not be converted: `customId` where one was readable (then it is `malformed_result_line`). */

const NON_RETRYABLE_ERRORS = new Set(['invalid_request_error', 'authentication_error', 'permission_error', 'not_found_error', 'billing_error']);
/** Error types that say the key was refused: the whole run fails the same way (PROVIDER_AUTH_CODE). */
const AUTH_ERRORS = new Set(['authentication_error', 'permission_error']);

/**
 * One raw line of the results file. The checks are only those the conversion needs to not throw:
 * a line of another shape is malformed rather than a failed download, as on every other provider.
 */
export function convertAnthropicResultLine(text: string): ConvertedLine {
  const line = resultLineObject(text);
  if ('malformed' in line) return line;
  const { json } = line;
  if (typeof json.custom_id !== 'string') return { malformed: 'result line has no custom_id' };
  const customId = json.custom_id;
  const result = json.result;
  if (!isObject(result) || typeof result.type !== 'string') return { customId, malformed: 'result line has no result type' };
  if (result.type === 'succeeded' && !isMessage(result.message)) return { customId, malformed: 'succeeded result has no message content' };
  if (result.type === 'errored' && result.error !== undefined && !isObject(result.error)) return { customId, malformed: 'errored result has an unreadable error' };
  return convertAnthropicResult(json as unknown as ResultLine);
}

export function convertAnthropicResult(line: ResultLine): BatchItemResult {
  const customId = line.custom_id;
  switch (line.result.type) {
    case 'succeeded':
      return convertMessage(customId, line.result.message);
    case 'errored': {
      const type = line.result.error?.error?.type ?? 'api_error';
      if (AUTH_ERRORS.has(type)) {
        const message = `${type}: ${line.result.error?.error?.message ?? 'the credentials were refused'}`;
        return { customId, outcome: 'errored', error: { code: PROVIDER_AUTH_CODE, message, status: type === 'authentication_error' ? 401 : 403, retryable: false } };
      }
      return {
        customId,
        outcome: 'errored',
        error: { code: type, message: line.result.error?.error?.message ?? type, retryable: !NON_RETRYABLE_ERRORS.has(type) },
      };
    }
    case 'canceled':
      return { customId, outcome: 'canceled' };
    case 'expired':
      return { customId, outcome: 'expired' };
    default:
      return { customId, outcome: 'errored', error: { code: 'unknown_result_type', message: 'unrecognised result type', retryable: true } };
  }
}

function convertMessage(customId: string, message: Extract<ResultLine['result'], { type: 'succeeded' }>['message']): BatchItemResult {
  // A forced tool answers in a tool_use block whose input is already an object.
  const tool = message.content.find((block) => block.type === 'tool_use');
  const text = tool ? JSON.stringify(tool.input ?? null) : message.content.filter((block) => block.type === 'text').map((block) => block.text ?? '').join('');
  const usage = message.usage
    ? {
        inputTokens: message.usage.input_tokens + (message.usage.cache_creation_input_tokens ?? 0) + (message.usage.cache_read_input_tokens ?? 0),
        outputTokens: message.usage.output_tokens,
        cachedInputTokens: message.usage.cache_read_input_tokens ?? 0,
      }
    : undefined;
  return {
    customId,
    outcome: 'succeeded',
    text,
    ...(message.stop_reason ? { finishReason: message.stop_reason } : {}),
    ...(message.stop_reason === 'refusal' ? { refusal: text || 'refused' } : {}),
    ...(usage ? { usage } : {}),
    ...(message.model ? { model: message.model } : {}),
  };
}

function isMessage(value: unknown): boolean {
  if (!isObject(value) || !Array.isArray(value.content) || !value.content.every(isObject)) return false;
  return value.usage === undefined || value.usage === null || isObject(value.usage);
}


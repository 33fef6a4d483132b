/**
 * Anthropic's synchronous Messages API for one batch line (`{custom_id, params}`): `params` is sent to
 * `POST /v1/messages` as it is, and the message is read by the same converter as a batch result.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { BatchItemResult } from '../batch-provider.js';
import { toProviderApiError } from '../errors.js';
import { parseRequestLine, syncCallResult } from '../sync-call-result.js';
import { convertAnthropicResult } from './anthropic-result.js';

interface AnthropicRequestLine {
  custom_id: string;
  params: Record<string, unknown>;
}

export function anthropicSyncCall(client: Anthropic, line: string, options: { keyVariables: readonly string[]; signal?: AbortSignal }): Promise<BatchItemResult> {
  const { custom_id: customId, params } = parseRequestLine<AnthropicRequestLine>(line);
  return syncCallResult({ customId, ...(options.signal ? { signal: options.signal } : {}) }, async () => {
    let message: unknown;
    try {
      message = await client.messages.create({ ...params, stream: false } as never, { maxRetries: 0, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      throw toProviderApiError('anthropic', 'sync call', error, { mutating: false, keyVariables: options.keyVariables });
    }
    return convertAnthropicResult({ custom_id: customId, result: { type: 'succeeded', message: message as never } });
  });
}

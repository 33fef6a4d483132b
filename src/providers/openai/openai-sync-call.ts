/**
 * OpenAI's synchronous endpoints for one batch line (`{custom_id, method, url, body}`): the body goes
 * to `POST /v1/chat/completions` or `POST /v1/embeddings` as it is, and the reply is read by the same
 * converter as a batch output line. The OpenAI-compatible provider sends its lines the same way.
 */
import type OpenAI from 'openai';
import type { ProviderId } from '../../domain.js';
import type { BatchItemResult } from '../batch-provider.js';
import { toProviderApiError } from '../errors.js';
import { parseRequestLine, syncCallResult } from '../sync-call-result.js';
import { convertOpenAIResultLine } from './openai-batch-wire.js';
import { EMBEDDINGS_ENDPOINT } from './openai-capabilities.js';

interface OpenAIRequestLine {
  custom_id: string;
  url: string;
  body: Record<string, unknown>;
}

export interface OpenAISyncCallOptions {
  provider: ProviderId;
  keyVariables: readonly string[];
  signal?: AbortSignal;
  attempts?: number;
  baseDelayMs?: number;
}

export function openAISyncCall(client: OpenAI, line: string, options: OpenAISyncCallOptions): Promise<BatchItemResult> {
  const { custom_id: customId, url, body } = parseRequestLine<OpenAIRequestLine>(line);
  const request = { maxRetries: 0, ...(options.signal ? { signal: options.signal } : {}) };
  return syncCallResult({ customId, ...retryOptions(options) }, async () => {
    let reply: unknown;
    try {
      reply = url === EMBEDDINGS_ENDPOINT
        ? await client.embeddings.create(body as never, request)
        : await client.chat.completions.create(body as never, request);
    } catch (error) {
      throw toProviderApiError(options.provider, 'sync call', error, { mutating: false, keyVariables: options.keyVariables });
    }
    const result = convertOpenAIResultLine(JSON.stringify({ custom_id: customId, response: { status_code: 200, body: reply } }));
    return 'outcome' in result ? result : { customId, outcome: 'errored', error: { code: 'malformed_response', message: result.malformed, retryable: true } };
  });
}

function retryOptions(options: OpenAISyncCallOptions): { attempts?: number; baseDelayMs?: number; signal?: AbortSignal } {
  return {
    ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
    ...(options.baseDelayMs !== undefined ? { baseDelayMs: options.baseDelayMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

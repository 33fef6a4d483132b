/**
 * Gemini's synchronous calls for one batch line (`{key, request}`): a GenerateContentRequest goes to
 * `models.generateContent`, an EmbedContentRequest to `models.embedContent`, and the reply is read by
 * the same converter as a batch result entry.
 */
import type { GoogleGenAI } from '@google/genai';
import type { BatchItemResult } from '../batch-provider.js';
import { parseRequestLine, syncCallResult } from '../sync-call-result.js';
import { toGeminiProviderError } from './gemini-api-error.js';
import { isEmbedRequest, toInlinedRequest, type GeminiBatchLine, type GeminiGenerateRequest } from './gemini-request.js';
import { convertGeminiEntry } from './gemini-result.js';

export function geminiSyncCall(client: GoogleGenAI, model: string, line: string, options: { keyVariables: readonly string[]; signal?: AbortSignal }): Promise<BatchItemResult> {
  const parsed = parseRequestLine<GeminiBatchLine>(line);
  const customId = parsed.key;
  const abort = options.signal ? { abortSignal: options.signal } : {};
  return syncCallResult({ customId, ...(options.signal ? { signal: options.signal } : {}) }, async () => {
    let response: unknown;
    try {
      if (isEmbedRequest(parsed.request)) {
        const { content, outputDimensionality } = parsed.request;
        const reply = await client.models.embedContent({
          model,
          contents: [content],
          config: { ...(outputDimensionality !== undefined ? { outputDimensionality } : {}), ...abort },
        });
        response = { embedding: { values: reply.embeddings?.[0]?.values } };
      } else {
        const { contents, config } = toInlinedRequest({ key: customId, request: parsed.request as GeminiGenerateRequest & Record<string, unknown> });
        response = await client.models.generateContent({ model, contents: contents ?? [], config: { ...config, ...abort } });
      }
    } catch (error) {
      throw toGeminiProviderError('sync call', error, { mutating: false, keyVariables: options.keyVariables });
    }
    const result = convertGeminiEntry(customId, { response });
    return 'outcome' in result ? result : { customId, outcome: 'errored', error: { code: 'malformed_response', message: result.malformed, retryable: true } };
  });
}

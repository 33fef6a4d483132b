/**
 * What the OpenAI Batch API can do, known without a key: limits, the JSONL line of one request,
 * the strict structured-output form and how its answers are normalised.
 */
import type { BatchLimits, ProviderCapabilities, ProviderRequest } from '../batch-provider.js';
import { stripNullsForOptional } from '../../schema/strip-nulls-for-optional.js';
import { buildOpenAIChatBody } from './openai-chat-body.js';
import { OPENAI_COST_TRAITS } from './openai-cost-traits.js';
import { toOpenAIStrictSchema } from './openai-output-schema.js';

export const CHAT_ENDPOINT = '/v1/chat/completions';
export const EMBEDDINGS_ENDPOINT = '/v1/embeddings';
/**
 * One input file holds at most 50,000 requests and 200 MB (the Batch API's documented limits);
 * the byte limit keeps a 10 MB margin for the multipart framing of the upload.
 */
const LIMITS: BatchLimits = { maxRequests: 50_000, maxBytes: 190 * 1024 * 1024 };

export function encodeOpenAIBatchLine(request: ProviderRequest): string {
  if (request.embedding) {
    const { input, dimensions } = request.embedding;
    const body = { model: request.model, input, encoding_format: 'float', ...(dimensions ? { dimensions } : {}) };
    return JSON.stringify({ custom_id: request.customId, method: 'POST', url: EMBEDDINGS_ENDPOINT, body });
  }
  const body = buildOpenAIChatBody(request, { maxTokensKey: 'max_completion_tokens' });
  return JSON.stringify({ custom_id: request.customId, method: 'POST', url: CHAT_ENDPOINT, body });
}

export const OPENAI_CAPABILITIES: ProviderCapabilities = {
  id: 'openai',
  keyVariables: ['OPENAI_API_KEY'],
  outputModes: { default: 'native', supported: ['native', 'prompt'] },
  embeddings: true,
  limits: () => LIMITS,
  encodeRequest: encodeOpenAIBatchLine,
  toWireSchema: (schema, mode) => (mode === 'prompt' ? undefined : toOpenAIStrictSchema(schema).schema),
  // Strict mode makes every property required and answers null where the model would have left an
  // optional field out; the user's schema expects the key absent.
  normalizeAnswer: (value, schema, mode) => (mode === 'native' ? stripNullsForOptional(value, schema) : value),
  cost: OPENAI_COST_TRAITS,
};

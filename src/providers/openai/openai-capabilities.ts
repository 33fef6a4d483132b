/**
 * What the OpenAI Batch API can do, known without a key: limits, the JSONL line of one request,
 * the strict structured-output form and how its answers are normalised.
 */
import type { CostTraits } from '../../cost/cost-traits.js';
import type { BatchLimits, ProviderCapabilities, ProviderRequest } from '../batch-provider.js';
import { stripNullsForOptional } from '../../schema/strip-nulls-for-optional.js';
import { chatBodyJson } from './openai-chat-body.js';
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
  return `{"custom_id":${JSON.stringify(request.customId)},"method":"POST","url":${CHAT_ENDPOINT_JSON},"body":${chatBodyJson(request, 'max_completion_tokens')}}`;
}

const CHAT_ENDPOINT_JSON = JSON.stringify(CHAT_ENDPOINT);

/**
 * gpt-tokenizer ships OpenAI's own encodings, so OpenAI counts are exact: o200k_base for gpt-4o,
 * gpt-4.1, gpt-4.5, gpt-5, the o-series and gpt-oss; cl100k_base for gpt-4, gpt-3.5 and the
 * text-embedding models. Any other OpenAI model falls back to cl100k_base, flagged inexact.
 */
const O200K = /^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o\d|chatgpt-4o|gpt-oss)/;
const CL100K = /^(gpt-4(-|$)|gpt-3\.5|text-embedding-)/;

/** o-series and gpt-5 think before answering; gpt-5-chat does not. */
const REASONING = /^(o\d|gpt-5(?!-chat))/;

export const OPENAI_COST_TRAITS: CostTraits = {
  batchPriceFactor: 0.5,
  local: false,
  priceId: (model) => model,
  tokenizer(model) {
    if (O200K.test(model)) return { encoding: 'o200k_base', correctionFactor: 1, exact: true };
    return { encoding: 'cl100k_base', correctionFactor: 1, exact: CL100K.test(model) };
  },
  // The framing OpenAI puts around a response_format schema is undocumented: 8 tokens is a guess.
  schemaFramingTokens: 8,
  reasoningModel: (model) => REASONING.test(model),
};

export const OPENAI_CAPABILITIES: ProviderCapabilities = {
  id: 'openai',
  keyVariables: ['OPENAI_API_KEY'],
  outputModes: { default: 'native', supported: ['native', 'prompt'] },
  embeddings: true,
  customModel: /^ft:/,
  limits: () => LIMITS,
  encodeRequest: encodeOpenAIBatchLine,
  toWireSchema: (schema, mode) => (mode === 'prompt' ? undefined : toOpenAIStrictSchema(schema).schema),
  // Strict mode makes every property required and answers null where the model would have left an
  // optional field out; the user's schema expects the key absent.
  normalizeAnswer: (value, schema, mode) => (mode === 'native' ? stripNullsForOptional(value, schema) : value),
  cost: OPENAI_COST_TRAITS,
  queue: {
    unit: 'input_tokens',
    scope: 'model',
    // Tier 1 allowed gpt-4o-mini 2,000,000 enqueued tokens (the figure the live error quotes); larger
    // models had less at that tier and higher tiers have far more. One figure for every model keeps a
    // big run moving on most accounts; a lower real limit shows up as requeued batches, never lost attempts.
    defaultLimit: () => 2_000_000,
  },
};

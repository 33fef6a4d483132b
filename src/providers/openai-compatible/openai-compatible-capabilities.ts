/**
 * What an OpenAI-compatible server (vLLM, Ollama, llama.cpp server, LM Studio) can do. `native`
 * sends `response_format` json_schema, which those servers accept; `prompt` is the fallback for
 * servers that do not.
 */
import type { BatchLimits, ProviderCapabilities } from '../batch-provider.js';
import { buildOpenAIChatBody } from '../openai/openai-chat-body.js';
import { toOpenAIStrictSchema } from '../openai/openai-output-schema.js';
import { stripNullsForOptional } from '../../schema/strip-nulls-for-optional.js';
import { OPENAI_COMPATIBLE_COST_TRAITS } from './openai-compatible-cost-traits.js';

/** A local "batch" is only a unit of work and of resumption; keep it moderate. */
const LIMITS: BatchLimits = { maxRequests: 5_000, maxBytes: 256 * 1024 * 1024 };

export const OPENAI_COMPATIBLE_CAPABILITIES: ProviderCapabilities = {
  id: 'openai-compatible',
  // A key is optional (OPENAI_COMPATIBLE_API_KEY); most local servers take none.
  keyVariables: [],
  baseUrlVariable: 'OPENAI_COMPATIBLE_BASE_URL',
  outputModes: { default: 'native', supported: ['native', 'prompt'] },
  embeddings: false,
  limits: () => LIMITS,
  encodeRequest: (request) => JSON.stringify({ custom_id: request.customId, body: buildOpenAIChatBody(request, { maxTokensKey: 'max_tokens' }) }),
  toWireSchema: (schema, mode) => (mode === 'prompt' ? undefined : toOpenAIStrictSchema(schema).schema),
  normalizeAnswer: (value, schema, mode) => (mode === 'native' ? stripNullsForOptional(value, schema) : value),
  cost: OPENAI_COMPATIBLE_COST_TRAITS,
};

/**
 * What an OpenAI-compatible server (vLLM, Ollama, llama.cpp server, LM Studio) can do. `native`
 * sends `response_format` json_schema, which those servers accept; `prompt` is the fallback for
 * servers that do not.
 */
import type { CostTraits } from '../../cost/cost-traits.js';
import type { BatchLimits, ProviderCapabilities } from '../batch-provider.js';
import { chatBodyJson } from '../openai/openai-chat-body.js';
import { toOpenAIStrictSchema } from '../openai/openai-output-schema.js';
import { stripNullsForOptional } from '../../schema/strip-nulls-for-optional.js';

/** A local "batch" is only a unit of work and of resumption; keep it moderate. */
const LIMITS: BatchLimits = { maxRequests: 5_000, maxBytes: 256 * 1024 * 1024 };

export const OPENAI_COMPATIBLE_COST_TRAITS: CostTraits = {
  // A local server has no batch discount: a batch costs what the same requests cost one by one.
  batchPriceFactor: 1,
  local: true,
  priceId: (model) => model,
  // Local models (Llama, Qwen, Mistral...) have large vocabularies close to o200k on English:
  // o200k_base times 1.1, the 10% a margin for code and non-English text.
  tokenizer: () => ({ encoding: 'o200k_base', correctionFactor: 1.1, exact: false }),
  // The framing a server puts around a response_format schema is unknown: 8 tokens is a guess.
  schemaFramingTokens: 8,
  // Whether a local model reasons is unknown: no reasoning allowance is assumed.
  reasoningModel: () => false,
};

export const OPENAI_COMPATIBLE_CAPABILITIES: ProviderCapabilities = {
  id: 'openai-compatible',
  // A key is optional; most local servers take none.
  keyVariables: [],
  optionalKeyVariables: ['OPENAI_COMPATIBLE_API_KEY'],
  baseUrlVariable: 'OPENAI_COMPATIBLE_BASE_URL',
  outputModes: { default: 'native', supported: ['native', 'prompt'] },
  embeddings: false,
  limits: () => LIMITS,
  encodeRequest: (request) => `{"custom_id":${JSON.stringify(request.customId)},"body":${chatBodyJson(request, 'max_tokens')}}`,
  toWireSchema: (schema, mode) => (mode === 'prompt' ? undefined : toOpenAIStrictSchema(schema).schema),
  normalizeAnswer: (value, schema, mode) => (mode === 'native' ? stripNullsForOptional(value, schema) : value),
  cost: OPENAI_COMPATIBLE_COST_TRAITS,
};

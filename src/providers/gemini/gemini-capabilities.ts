/** What the Gemini API's batch mode can do, known without a key. */
import type { CostTraits } from '../../cost/cost-traits.js';
import type { BatchLimits, ProviderCapabilities } from '../batch-provider.js';
import { toGeminiSchema } from './gemini-output-schema.js';
import { encodeGeminiBatchLine } from './gemini-request.js';

const MB = 1024 * 1024;
/**
 * No per-job request cap is documented for the Gemini API; 50,000 keeps a shard's results file and
 * its enqueued tokens moderate. Files may be 2 GB; 500 MB keeps far under it (and under the 20 GB
 * per-project Files storage when several shards are in flight).
 */
const LIMITS: BatchLimits = { maxRequests: 50_000, maxBytes: 500 * MB };

/** The API names models `models/<id>`; recipes and the price table use the bare id. */
const bareId = (model: string): string => model.replace(/^models\//, '');

/** gemini-2.5-pro and gemini-2.5-flash (and its snapshots) think by default; flash-lite does not. */
const REASONING = /^gemini-2\.5-(pro|flash$|flash-\d)/;

export const GEMINI_COST_TRAITS: CostTraits = {
  batchPriceFactor: 0.5,
  local: false,
  priceId: bareId,
  // Google publishes no JS tokenizer: o200k_base times 1.1. Gemini's large vocabulary is close to
  // o200k on English; the 10% is a margin for code and non-English text.
  tokenizer: () => ({ encoding: 'o200k_base', correctionFactor: 1.1, exact: false }),
  // The framing Gemini puts around a responseSchema is undocumented: 8 tokens is a guess.
  schemaFramingTokens: 8,
  reasoningModel: (model) => REASONING.test(bareId(model)),
};

export const GEMINI_CAPABILITIES: ProviderCapabilities = {
  id: 'gemini',
  keyVariables: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
  outputModes: { default: 'native', supported: ['native', 'prompt'] },
  embeddings: true,
  customModel: /^tunedModels\//,
  limits: () => LIMITS,
  encodeRequest: encodeGeminiBatchLine,
  toWireSchema: (schema, mode) => (mode === 'prompt' ? undefined : toGeminiSchema(schema).schema),
  normalizeAnswer: (value) => value,
  cost: GEMINI_COST_TRAITS,
  // Batch mode limits enqueued tokens per model; the value depends on the project's tier and is shown
  // on AI Studio's rate-limit page only. 3,000,000 is a low guess for a paid project.
  queue: { unit: 'input_tokens', scope: 'model', defaultLimit: () => 3_000_000 },
};

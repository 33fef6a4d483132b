/** What the Gemini API's batch mode can do, known without a key. */
import type { BatchLimits, ProviderCapabilities } from '../batch-provider.js';
import { GEMINI_COST_TRAITS } from './gemini-cost-traits.js';
import { toGeminiSchema } from './gemini-output-schema.js';
import { buildGeminiLine } from './gemini-request.js';

const MB = 1024 * 1024;
/**
 * No per-job request cap is documented for the Gemini API; 50,000 keeps a shard's results file and
 * its enqueued tokens moderate. Files may be 2 GB; 500 MB keeps far under it (and under the 20 GB
 * per-project Files storage when several shards are in flight).
 */
const LIMITS: BatchLimits = { maxRequests: 50_000, maxBytes: 500 * MB };

export const GEMINI_CAPABILITIES: ProviderCapabilities = {
  id: 'gemini',
  keyVariables: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
  outputModes: { default: 'native', supported: ['native', 'prompt'] },
  embeddings: true,
  limits: () => LIMITS,
  encodeRequest: (request) => JSON.stringify(buildGeminiLine(request)),
  toWireSchema: (schema, mode) => (mode === 'prompt' ? undefined : toGeminiSchema(schema).schema),
  normalizeAnswer: (value) => value,
  cost: GEMINI_COST_TRAITS,
};

/**
 * What Anthropic's Message Batches API can do, known without a key. Native JSON outputs
 * (`output_config.format`) and a strict forced tool share one schema grammar.
 */
import type { BatchLimits, ProviderCapabilities } from '../batch-provider.js';
import { ANTHROPIC_COST_TRAITS } from './anthropic-cost-traits.js';
import { toAnthropicSchema } from './anthropic-output-schema.js';
import { buildAnthropicParams } from './anthropic-request.js';

/** A batch holds at most 100,000 requests and 256 MB; 200 MB leaves room for the JSON body around them. */
const LIMITS: BatchLimits = { maxRequests: 100_000, maxBytes: 200 * 1024 * 1024 };

export const ANTHROPIC_CAPABILITIES: ProviderCapabilities = {
  id: 'anthropic',
  keyVariables: ['ANTHROPIC_API_KEY'],
  outputModes: { default: 'native', supported: ['native', 'tool', 'prompt'] },
  embeddings: false,
  limits: () => LIMITS,
  encodeRequest: (request) => JSON.stringify({ custom_id: request.customId, params: buildAnthropicParams(request) }),
  toWireSchema: (schema, mode) => (mode === 'prompt' ? undefined : toAnthropicSchema(schema).schema),
  normalizeAnswer: (value) => value,
  cost: ANTHROPIC_COST_TRAITS,
};

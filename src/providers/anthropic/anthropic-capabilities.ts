/**
 * What Anthropic's Message Batches API can do, known without a key. Native JSON outputs
 * (`output_config.format`) and a strict forced tool share one schema grammar.
 */
import type { CostTraits } from '../../cost/cost-traits.js';
import type { BatchLimits, ProviderCapabilities } from '../batch-provider.js';
import { toAnthropicSchema } from './anthropic-output-schema.js';
import { encodeAnthropicBatchLine } from './anthropic-request.js';

/** A batch holds at most 100,000 requests and 256 MB; 200 MB leaves room for the JSON body around them. */
const LIMITS: BatchLimits = { maxRequests: 100_000, maxBytes: 200 * 1024 * 1024 };

export const ANTHROPIC_COST_TRAITS: CostTraits = {
  batchPriceFactor: 0.5,
  local: false,
  priceId: (model) => model,
  // Anthropic publishes no JS tokenizer: o200k_base times 1.2, on the high side. Claude's smaller
  // vocabulary splits English into more pieces than o200k, and newer Claude tokenizers are
  // documented at up to 1.35x their predecessors.
  tokenizer: () => ({ encoding: 'o200k_base', correctionFactor: 1.2, exact: false }),
  // A schema goes to Claude as a forced tool, and Anthropic adds a tool-use system prompt of 313
  // tokens for tool_choice any/tool on Claude 4 models (Anthropic's tool-use pricing notes as of
  // 2025; not re-checked). On tiny prompts the estimate overshoots (Anthropic counts "You are a
  // scientist" + "Hello, Claude" as 14 tokens; the estimate gives 22), which is the safe side for a budget.
  schemaFramingTokens: 313,
  // Claude thinks only when a request turns extended thinking on, which synthforge does not send.
  reasoningModel: () => false,
};

export const ANTHROPIC_CAPABILITIES: ProviderCapabilities = {
  id: 'anthropic',
  keyVariables: ['ANTHROPIC_API_KEY'],
  outputModes: { default: 'native', supported: ['native', 'tool', 'prompt'] },
  embeddings: false,
  limits: () => LIMITS,
  encodeRequest: encodeAnthropicBatchLine,
  toWireSchema: (schema, mode) => (mode === 'prompt' ? undefined : toAnthropicSchema(schema).schema),
  normalizeAnswer: (value) => value,
  cost: ANTHROPIC_COST_TRAITS,
  // The processing queue counts requests not yet processed, for every model of the workspace
  // together: 100,000 at the lowest tier (one full batch).
  queue: { unit: 'requests', scope: 'provider', defaultLimit: () => 100_000 },
};

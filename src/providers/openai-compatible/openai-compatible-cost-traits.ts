import type { CostTraits } from '../../cost/cost-traits.js';

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

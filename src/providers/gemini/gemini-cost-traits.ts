import type { CostTraits } from '../../cost/cost-traits.js';

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

import type { CostTraits } from '../../cost/cost-traits.js';

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

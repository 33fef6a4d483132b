import type { TokenizerChoice } from './estimate-tokens.js';

/** What cost/ needs to know about a provider; each provider declares its own (src/providers/<vendor>/). */
export interface CostTraits {
  /** What a batch request costs relative to the same request sent synchronously (0.5 on the batch APIs, 1 for a local server). */
  readonly batchPriceFactor: number;
  /** Requests run on the user's own server: free unless the recipe gives a price. */
  readonly local: boolean;
  /** The model id as the price table spells it (Gemini's API may prefix `models/`). */
  priceId(model: string): string;
  /** Which tokenizer estimates this model's input tokens. */
  tokenizer(model: string): TokenizerChoice;
  /** Tokens the provider wraps around a structured-output schema it is sent. */
  readonly schemaFramingTokens: number;
  /** Models that think before answering: their output estimate adds reasoning tokens. */
  reasoningModel(model: string): boolean;
}

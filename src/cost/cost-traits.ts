export type TokenEncodingName = 'o200k_base' | 'cl100k_base';

export interface TokenizerChoice {
  encoding: TokenEncodingName;
  /** Multiplier applied to the raw count: 1 when the encoding is the model's own. */
  correctionFactor: number;
  /** True when the count is the provider's own tokenization of the text. */
  exact: boolean;
}

/**
 * What cost/ needs to know about a provider; each provider declares its own (src/providers/<vendor>/),
 * so cost/ prices and estimates a model without knowing which vendor serves it.
 */
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

/**
 * Input-token estimates for the pre-flight cost estimate, computed with gpt-tokenizer.
 *
 * The provider's `CostTraits` say which encoding counts a model (o200k_base or cl100k_base), by how
 * much to scale the raw count when the encoding is not the model's own, and how many tokens the
 * provider wraps around a structured-output schema.
 *
 * A chat costs, per OpenAI's published counting recipe for these encodings (checked against
 * gpt-tokenizer's `encodeChat`): 3 tokens per message + the role + the content, and 3 more that
 * prime the reply. A structured-output schema is sent along with the request, so its JSON counts
 * too, plus the provider's framing.
 *
 * Speed: the encodings load lazily (o200k ≈ 0.3 s, once per process). Counts of repeated strings
 * (a system prompt shared by every request) and of schemas are memoised. Counting still costs about
 * 15 µs per request, so where an exact figure buys nothing (a run without a budget only records a
 * shard's estimated cost) `lengthTokenEstimator` guesses from the length instead: one token per
 * CHARACTERS_PER_TOKEN characters, the usual average of English text in these encodings, scaled by
 * the same correction factor.
 */
import type { ChatMessage, ModelRef } from '../domain.js';
import type { CostTraits, TokenEncodingName, TokenizerChoice } from './cost-traits.js';

/** A JSON Schema object (kept local: cost/ imports no other module). */
export type SchemaObject = { readonly [keyword: string]: unknown };

export interface InputTokenOptions {
  /** The structured-output schema sent with the request, as JSON Schema. */
  schema?: SchemaObject;
}

export interface TokenEstimator {
  readonly model: ModelRef;
  readonly tokenizer: TokenizerChoice;
  /** Tokens of a plain text, e.g. an embedding input, after the correction factor. */
  countText(text: string): number;
  /** Tokens of one chat request, after the correction factor. */
  inputTokens(messages: readonly ChatMessage[], options?: InputTokenOptions): number;
}

export const TOKENS_PER_MESSAGE = 3;
export const REPLY_PRIMING_TOKENS = 3;

type CountTokens = (text: string) => number;

const loadedEncodings = new Map<TokenEncodingName, Promise<CountTokens>>();

/** Special-token strings in user text are counted as text, as the APIs do, instead of throwing. */
const AS_TEXT = { disallowedSpecial: new Set<string>() };

function loadEncoding(name: TokenEncodingName): Promise<CountTokens> {
  let loading = loadedEncodings.get(name);
  if (!loading) {
    // Each encoding is a few MB of ranks: import only the one a model needs, when it is needed.
    const module = name === 'o200k_base' ? import('gpt-tokenizer/encoding/o200k_base') : import('gpt-tokenizer/encoding/cl100k_base');
    loading = module.then((encoding) => (text: string) => encoding.countTokens(text, AS_TEXT));
    loadedEncodings.set(name, loading);
    // A failed load is not remembered, so a later call can try again.
    loading.catch(() => loadedEncodings.delete(name));
  }
  return loading;
}

const MEMO_MAX_TEXT_LENGTH = 32_768;
const MEMO_MAX_CHARACTERS = 4_000_000;

/** Counts with a bounded memo: repeated strings (system prompts, roles) are tokenized once. */
function memoise(count: CountTokens): CountTokens {
  const memo = new Map<string, number>();
  let memoCharacters = 0;
  return (text) => {
    const known = memo.get(text);
    if (known !== undefined) return known;
    const tokens = count(text);
    if (text.length <= MEMO_MAX_TEXT_LENGTH) {
      if (memoCharacters + text.length > MEMO_MAX_CHARACTERS) {
        memo.clear();
        memoCharacters = 0;
      }
      memo.set(text, tokens);
      memoCharacters += text.length;
    }
    return tokens;
  };
}

/** Loads the model's encoding (once per process) and returns a synchronous estimator for hot loops. */
export async function loadTokenEstimator(model: ModelRef, traits: CostTraits): Promise<TokenEstimator> {
  const tokenizer = traits.tokenizer(model.model);
  return estimatorCounting(model, traits, tokenizer, memoise(await loadEncoding(tokenizer.encoding)));
}

/** Characters per token of the length-based guess (English prose averages about 4 in o200k and cl100k). */
export const CHARACTERS_PER_TOKEN = 4;

/**
 * A rough estimator that loads and runs no tokenizer: every text counts ceil(length / 4) tokens, with
 * the same per-message framing, schema framing and correction factor as the counted estimate.
 */
export function lengthTokenEstimator(model: ModelRef, traits: CostTraits): TokenEstimator {
  return estimatorCounting(model, traits, traits.tokenizer(model.model), (text) => Math.ceil(text.length / CHARACTERS_PER_TOKEN));
}

function estimatorCounting(model: ModelRef, traits: CostTraits, tokenizer: TokenizerChoice, count: CountTokens): TokenEstimator {
  const schemaTokens = new WeakMap<SchemaObject, number>();
  const correct = (tokens: number): number => Math.ceil(tokens * tokenizer.correctionFactor);

  const countSchema = (schema: SchemaObject): number => {
    let tokens = schemaTokens.get(schema);
    if (tokens === undefined) {
      tokens = count(JSON.stringify(schema)) + traits.schemaFramingTokens;
      schemaTokens.set(schema, tokens);
    }
    return tokens;
  };

  return {
    model,
    tokenizer,
    countText: (text) => correct(count(text)),
    inputTokens(messages, options = {}) {
      let tokens = REPLY_PRIMING_TOKENS;
      for (const message of messages) tokens += TOKENS_PER_MESSAGE + count(message.role) + count(message.content);
      if (options.schema) tokens += countSchema(options.schema);
      return correct(tokens);
    },
  };
}

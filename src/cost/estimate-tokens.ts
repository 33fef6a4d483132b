/**
 * Input-token estimates for the pre-flight cost estimate, computed with gpt-tokenizer.
 *
 * Which tokenizer:
 * - OpenAI gpt-4o, gpt-4.1, gpt-4.5, gpt-5, o-series, gpt-oss: o200k_base; gpt-4, gpt-3.5 and the
 *   text-embedding models: cl100k_base. These counts are exact for the text (`exact: true`).
 * - Any other OpenAI model: cl100k_base, flagged inexact.
 * - Anthropic, Gemini and local openai-compatible models do not publish a JS tokenizer; their
 *   counts are o200k_base times a correction factor, an estimate on the high side:
 *   Anthropic 1.2 (Claude's smaller vocabulary splits English into more pieces than o200k, and newer
 *   Claude tokenizers are documented at up to 1.35x their predecessors), Gemini 1.1 and
 *   openai-compatible 1.1 (large vocabularies close to o200k on English; margin for code and
 *   non-English text).
 *
 * A chat costs, per OpenAI's published counting recipe for these encodings (checked against
 * gpt-tokenizer's `encodeChat`): 3 tokens per message + the role + the content, and 3 more that
 * prime the reply. A structured-output schema is sent along with the request, so its JSON counts
 * too, plus what the provider wraps around it: Anthropic's tool-use system prompt, 313 tokens for
 * tool_choice any/tool on Claude 4 models (Anthropic's tool-use pricing notes as of 2025; not
 * re-checked); OpenAI's and Gemini's framing is undocumented, 8 tokens is a guess. On tiny prompts
 * the Anthropic estimate overshoots (Anthropic's docs count "You are a scientist" + "Hello, Claude"
 * as 14 tokens; this gives 22), which errs on the safe side for a budget.
 *
 * Speed: the encodings load lazily (o200k ≈ 0.3 s, once per process). Counts of repeated strings
 * (a system prompt shared by every request) and of schemas are memoised.
 */
import type { ChatMessage, ModelRef } from '../domain.js';

export type TokenEncodingName = 'o200k_base' | 'cl100k_base';

export interface TokenizerChoice {
  encoding: TokenEncodingName;
  /** Multiplier applied to the raw count: 1 when the encoding is the model's own. */
  correctionFactor: number;
  /** True when the count is the provider's own tokenization of the text. */
  exact: boolean;
}

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

const O200K_OPENAI = /^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o\d|chatgpt-4o|gpt-oss)/;
const CL100K_OPENAI = /^(gpt-4(-|$)|gpt-3\.5|text-embedding-)/;
const CORRECTION = { anthropic: 1.2, gemini: 1.1, 'openai-compatible': 1.1 } as const;

export const TOKENS_PER_MESSAGE = 3;
export const REPLY_PRIMING_TOKENS = 3;
export const SCHEMA_FRAMING_TOKENS = { openai: 8, anthropic: 313, gemini: 8, 'openai-compatible': 8 } as const;

export function chooseTokenizer(model: ModelRef): TokenizerChoice {
  if (model.provider === 'openai') {
    if (O200K_OPENAI.test(model.model)) return { encoding: 'o200k_base', correctionFactor: 1, exact: true };
    return { encoding: 'cl100k_base', correctionFactor: 1, exact: CL100K_OPENAI.test(model.model) };
  }
  return { encoding: 'o200k_base', correctionFactor: CORRECTION[model.provider], exact: false };
}

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
export async function loadTokenEstimator(model: ModelRef): Promise<TokenEstimator> {
  const tokenizer = chooseTokenizer(model);
  const count = memoise(await loadEncoding(tokenizer.encoding));
  const schemaTokens = new WeakMap<SchemaObject, number>();
  const correct = (tokens: number): number => Math.ceil(tokens * tokenizer.correctionFactor);

  const countSchema = (schema: SchemaObject): number => {
    let tokens = schemaTokens.get(schema);
    if (tokens === undefined) {
      tokens = count(JSON.stringify(schema)) + SCHEMA_FRAMING_TOKENS[model.provider];
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

const estimators = new Map<string, Promise<TokenEstimator>>();

/**
 * Input tokens of one chat request. Convenient for a few calls; for many requests of one model,
 * `loadTokenEstimator` once and call its synchronous `inputTokens`.
 */
export async function estimateInputTokens(messages: readonly ChatMessage[], model: ModelRef, options?: InputTokenOptions): Promise<number> {
  const key = `${model.provider}/${model.model}`;
  let estimator = estimators.get(key);
  if (!estimator) {
    estimator = loadTokenEstimator(model);
    estimators.set(key, estimator);
  }
  return (await estimator).inputTokens(messages, options);
}

/**
 * The one contract between the engine and the providers. The engine imports this file (and
 * providers/errors.ts), never an adapter: it is handed a `ProviderCatalog` by whoever runs it (the
 * CLI, the public API, a test, a benchmark). Each vendor folder (providers/<provider>/) implements
 * the contract on top of the vendor's official SDK; providers/registry.ts builds the default catalog.
 *
 * Two halves, so that work needing no network never loads an SDK:
 * - `ProviderCapabilities`: what a provider can do, as data and pure functions (output modes,
 *   embeddings, limits, the wire encoding of a request, how a JSON Schema is rewritten for its
 *   structured-output form, how an answer is normalised, cost traits). `validate` and `plan` use
 *   only this half.
 * - `BatchProvider`: a connected adapter (credentials, SDK client) that submits, polls, downloads
 *   and cancels batches.
 *
 * Life of a shard, as the engine drives it:
 *   1. the engine renders requests and writes each one through `capabilities.encodeRequest` as one
 *      line of a shard file (the provider's own wire format, so the file hash identifies exactly
 *      what is sent);
 *   2. it records the shard in the store, then calls `submit`, which must never retry by itself:
 *      no batch API takes an idempotency key, so a retried create can make two batches and pay twice;
 *   3. it calls `poll` until the state is terminal, and `results` once (streamed, any order);
 *      a provider whose queue is full says so either way: `submit` throws ProviderQueueFullError,
 *      or `poll` reports the batch `failed` with `failure: 'queue_full'`; the engine then waits
 *      for its own batches to finish and sends the same shard again, spending no attempt;
 *   4. on resume, a shard recorded without a batch id is looked up with `findSubmitted` first.
 */
import type { CostTraits } from '../cost/cost-traits.js';
import type { ChatMessage, ModelRef, ProviderId, TokenUsage } from '../domain.js';
import type { JsonSchema } from '../schema/json-schema.js';

/** Sampling and length parameters, named as in recipes (snake_case, OpenAI's names). */
export interface ModelParams {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  seed?: number;
  stop?: string | string[];
  presence_penalty?: number;
  frequency_penalty?: number;
}

/** How the model is asked for JSON. `native`: the provider's structured output; `tool`: a forced tool
 * call (Anthropic); `prompt`: the schema in the system message, JSON extracted from text. */
export type StructuredOutputMode = 'native' | 'tool' | 'prompt';

export interface OutputRequest {
  /** `[a-zA-Z0-9_-]{1,64}`: the step name, cleaned. */
  name: string;
  /** The step's full JSON Schema; adapters convert it to their wire form through schema/. */
  jsonSchema: JsonSchema;
  mode: StructuredOutputMode;
}

/** One LLM call, provider-neutral: a chat completion, or (with `embedding`) an embedding. */
export interface ProviderRequest {
  /** Unique within a shard; `^[a-zA-Z0-9_-]{1,64}$` so it is valid on every provider. */
  customId: string;
  model: string;
  /** Empty for embedding requests. */
  messages: ChatMessage[];
  params: ModelParams;
  output?: OutputRequest;
  /** Set for an embedding request: the text to embed and, where the model supports it, the size. */
  embedding?: { input: string; dimensions?: number };
}

/** What a shard holds; a provider batch serves one endpoint (OpenAI: one `endpoint` per batch). */
export type ShardKind = 'chat' | 'embedding';

export interface BatchLimits {
  maxRequests: number;
  /** Upper bound on the encoded shard size in bytes (the provider's limit minus a margin). */
  maxBytes: number;
}

/** What the engine hands to `submit`: a shard file already written with `encodeRequest`. */
export interface ShardSubmission {
  runId: string;
  shardId: string;
  model: string;
  /** Path of the shard file: one `encodeRequest` line per request, `\n`-terminated. */
  inputPath: string;
  requestCount: number;
  /** Default `chat`. */
  kind?: ShardKind;
}

export interface ShardLookup extends ShardSubmission {
  /** When the shard was marked as being submitted (ms since epoch). */
  submittedAfter: number;
  knownBatchIds: ReadonlySet<string>;
}

/** Plain JSON, saved by the store; everything else is rebuilt from it on resume. */
export interface BatchHandle {
  version: 1;
  provider: ProviderId;
  model: string;
  batchId: string;
  /** OpenAI: the uploaded input file. */
  inputFileId?: string;
  /** Default `chat`. */
  kind?: ShardKind;
  /** Providers that run requests locally (openai-compatible): the shard file they work from. */
  inputPath?: string;
}

/**
 * `running`: not finished (any provider status we do not know maps here, so results are never
 * fetched early). `ended`: results are final and may be partial (completed, expired, cancelled).
 * `failed`: the batch was rejected as a whole and nothing ran (nothing is billed).
 */
export type BatchState = 'running' | 'ended' | 'failed';

export interface RequestCounts {
  total: number;
  completed: number;
  failed: number;
}

export interface BatchStatus {
  state: BatchState;
  /** The provider's own status word (`in_progress`, `finalizing`, `canceling`, …). */
  rawStatus: string;
  counts?: RequestCounts;
  /** Why a `failed` batch failed, as the provider said it. */
  errors?: { code: string; message: string; line?: number }[];
  /**
   * Set on a `failed` batch the provider refused because its queue was full (OpenAI: an
   * `errors.data[].code` of `token_limit_exceeded`). Nothing ran and nothing is billed: the engine
   * sends the same shard again once queued work has finished, without spending an attempt.
   * `input_rejected`: the provider refused the batch's input itself (OpenAI: a failed validation
   * such as an unknown model; Gemini: a job failed with INVALID_ARGUMENT, NOT_FOUND,
   * FAILED_PRECONDITION or OUT_OF_RANGE); nothing ran, and sending the same requests again would fail the same
   * way, so the engine does not spend the step's remaining attempts on them.
   */
  failure?: 'queue_full' | 'input_rejected';
}

export interface ProviderErrorInfo {
  /** Provider error code or type (`invalid_request_error`, `rate_limit_exceeded`, `batch_expired`, …). */
  code: string;
  message: string;
  /** HTTP status of the underlying request, when there was one. */
  status?: number;
  /** True when sending the same request again may succeed (overload, 5xx, rate limit). */
  retryable: boolean;
}

export type BatchItemResult =
  | {
      customId: string;
      outcome: 'succeeded';
      /** The model's answer as text (for a forced tool call: the tool input, JSON-encoded). */
      text: string;
      /** `stop`, `length`, `tool_use`, `end_turn`, `max_tokens`, `refusal`, … as the provider said. */
      finishReason?: string;
      /** The provider's refusal message, when the model refused. */
      refusal?: string;
      usage?: TokenUsage;
      model?: string;
      /** Embedding requests: the vector (then `text` is empty). */
      vector?: number[];
    }
  | { customId: string; outcome: 'errored'; error: ProviderErrorInfo; usage?: TokenUsage }
  | { customId: string; outcome: 'expired' }
  | { customId: string; outcome: 'canceled' };

/**
 * How a provider limits the work queued at once, across every batch not yet ended: what it counts
 * (`input_tokens`: OpenAI and Gemini count each batch's prompt tokens; `requests`: Anthropic counts
 * requests not yet processed) and over what (`model`: a pool per model; `provider`: one pool for
 * every model of the account). The real limit depends on the account's tier and is not readable
 * through the APIs; `defaultLimit` is a conservative guess the recipe or the environment overrides.
 */
export interface QueueTraits {
  readonly unit: 'input_tokens' | 'requests';
  readonly scope: 'model' | 'provider';
  /** Undefined: no limit is assumed. */
  defaultLimit(model: string): number | undefined;
}

/**
 * What a provider can do, known without credentials or network. Each vendor folder exports one
 * (`OPENAI_CAPABILITIES`, ...); the engine reads them through `ProviderCatalog.capabilities`.
 */
export interface ProviderCapabilities {
  readonly id: ProviderId;
  /** Environment variables that may hold the API key, in order of preference; empty when none is needed. */
  readonly keyVariables: readonly string[];
  /** Variables read for a key when set, though none is required (a local server may want one). */
  readonly optionalKeyVariables?: readonly string[];
  /**
   * Set when requests go to a server the user names: the step's `base_url`, else this environment
   * variable. Absent for the hosted APIs, whose address is known.
   */
  readonly baseUrlVariable?: string;
  readonly outputModes: {
    /** What `structured_output: auto` means for this provider. */
    readonly default: StructuredOutputMode;
    /** Every mode a recipe may ask for; any other is a recipe error. */
    readonly supported: readonly StructuredOutputMode[];
  };
  /** Whether an `embed` step may use this provider. */
  readonly embeddings: boolean;
  /**
   * Names of models an account made itself (OpenAI `ft:…`, Gemini `tunedModels/…`): no catalogue can
   * list them, so a recipe naming one gets a warning where another unknown model is an error.
   */
  readonly customModel?: RegExp;
  limits(model: string): BatchLimits;
  /**
   * The most output tokens the model can be asked for, when known: a truncated answer is asked
   * again with more `max_tokens`, never more than this (engine/repair-requests.ts).
   */
  maxOutputTokens?(model: string): number | undefined;
  /** One line of the shard file, without the newline: the provider's own wire format. */
  encodeRequest(request: ProviderRequest): string;
  /**
   * Rewrites a step's JSON Schema into what this provider's structured-output form accepts, or
   * throws a SchemaDefinitionError naming what it cannot take. Compiling a recipe calls it, so a
   * schema the provider would refuse fails before anything is sent.
   */
  toWireSchema(schema: JsonSchema, mode: StructuredOutputMode): JsonSchema | undefined;
  /**
   * Undoes what the structured-output form did to an answer before it is checked against the
   * user's schema (OpenAI's strict mode sends `null` for optional fields it would have left out).
   */
  normalizeAnswer(value: unknown, schema: JsonSchema, mode: StructuredOutputMode): unknown;
  /** Prices, tokenizer and reasoning models, for estimates and the ledger. */
  readonly cost: CostTraits;
  /** The provider's queue limit, when it has one (the synchronous openai-compatible server has none). */
  readonly queue?: QueueTraits;
}

/**
 * Where the engine gets its providers. The default catalog (providers/registry.ts) reads keys from
 * the environment; an offline catalog points every provider at the built-in emulator; tests and
 * benchmarks may hand in their own.
 */
export interface ProviderCatalog {
  /** True when every provider is the built-in emulator: recorded in summaries and manifests. */
  readonly offline: boolean;
  capabilities(provider: ProviderId): ProviderCapabilities;
  /** Throws MissingCredentialsError for the first provider that has no key (before anything is sent). */
  checkCredentials(providers: Iterable<ProviderId>): void;
  /** A connected adapter for `model` (one per provider and base URL, reused). */
  open(model: ModelRef, options?: { baseUrl?: string }): Promise<BatchProvider>;
}

/** What an adapter of a hosted batch API is built with (the registry passes keys from the environment only). */
export interface HostedAdapterOptions {
  apiKey: string;
  /** The API's address; the vendor's own by default. */
  baseURL?: string;
  /** Per-attempt timeout in ms for every call. */
  timeoutMs?: number;
  /** Retries of idempotent calls (retrieve, list, download, cancel); a create is never retried. */
  maxRetries?: number;
  /** The environment variable `apiKey` came from, named when the provider refuses it (default: all of the provider's). */
  keyVariable?: string;
}

export interface SyncCallOptions {
  model: string;
  signal?: AbortSignal;
}

export interface BatchProvider {
  readonly id: ProviderId;
  readonly capabilities: ProviderCapabilities;
  /**
   * Throws ProviderQueueFullError (providers/errors.ts) when the provider refused the create because
   * its queue is full (Anthropic 429/529, Gemini 429 RESOURCE_EXHAUSTED): nothing was created.
   */
  submit(shard: ShardSubmission, options?: { signal?: AbortSignal }): Promise<BatchHandle>;
  poll(handle: BatchHandle, options?: { signal?: AbortSignal }): Promise<BatchStatus>;
  results(handle: BatchHandle, options?: { signal?: AbortSignal }): AsyncIterable<BatchItemResult>;
  /**
   * The result half split in two, for an engine that decodes results on worker threads: the raw
   * bytes of the lines `results` converts, in the same order, as chunks of whole lines (cut at LF; a
   * CR before the LF and blank lines are not lines), and `resultDecoder`, the module that converts
   * one line. `results` must be exactly these lines through that module's `decodeResultLine`. Bytes,
   * not strings: the engine's own thread hands them on without decoding a line. Both or neither.
   */
  resultChunks?(handle: BatchHandle, options?: { signal?: AbortSignal }): AsyncIterable<Uint8Array>;
  readonly resultDecoder?: ResultDecoder;
  cancel(handle: BatchHandle): Promise<BatchStatus>;
  /**
   * Look for a batch this run already created for `shard` (after a crash between create and
   * recording its id). Returns undefined when the provider has no such batch. `knownBatchIds` are
   * batches the store already attributes to other shards, which cannot be this one. It may wait (an
   * adapter that can only tell batches apart once they have ended), so it takes the run's signal.
   */
  findSubmitted?(shard: ShardLookup, options?: { signal?: AbortSignal }): Promise<BatchHandle | undefined>;
  /**
   * Sends one request through the provider's synchronous API (chat completions, messages,
   * generateContent, embeddings) at synchronous prices and returns it as a batch result would be:
   * `line` is exactly what `capabilities.encodeRequest` wrote for a shard, so the answer is judged
   * by the same code as a batch line's. Retryable failures (429, 5xx) are retried inside; what still
   * fails comes back `errored`, except a refused key, which throws ProviderAuthError. Used by
   * `synthforge preview`; absent where a provider cannot answer at once. `model`: the shard's model
   * (a Gemini line does not carry it).
   */
  callSync?(line: string, options: SyncCallOptions): Promise<BatchItemResult>;
}

/**
 * Where a worker thread finds a provider's result-line converter: `module` is the URL of an ESM module
 * that exports a `ResultDecoderModule`. Threads do not share objects, so the converter travels by URL
 * and the engine imports it at run time (no static import of an adapter).
 */
export interface ResultDecoder {
  readonly module: string;
  /**
   * Secret values whose every trace a decoded result must lose (redact-secrets.ts), as `results`
   * redacts them: set by the redacting wrapper (with-secret-redaction.ts), never by an adapter.
   */
  readonly secrets?: readonly { name: string; value: string }[];
}

/** What a `ResultDecoder.module` exports. */
export interface ResultDecoderModule {
  /**
   * One raw line as `results` maps it: a line with a custom id it cannot read otherwise is `errored`
   * with the code `malformed_result_line`; a line with no readable custom id is undefined (its
   * request shows up as missing).
   */
  decodeResultLine(line: string): BatchItemResult | undefined;
  /** The provider's `ProviderCapabilities.normalizeAnswer`, which judging an answer needs. */
  normalizeAnswer: ProviderCapabilities['normalizeAnswer'];
}

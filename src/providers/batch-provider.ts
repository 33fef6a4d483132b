/**
 * The one contract between the engine and the providers. The engine imports this file, never an
 * adapter; each adapter (providers/<provider>/) implements it on top of the vendor's official SDK.
 *
 * Life of a shard, as the engine drives it:
 *   1. the engine renders requests and writes each one through `encodeRequest` as one line of a shard
 *      file (the provider's own wire format, so the file hash identifies exactly what is sent);
 *   2. it records the shard in the store, then calls `submit` (no automatic retry: a retried create
 *      can create two batches and pay twice, see DESIGN.md "Idempotency");
 *   3. it calls `poll` until the state is terminal, and `results` once (streamed, any order);
 *   4. on resume, a shard recorded without a batch id is looked up with `findSubmitted` first.
 */
import type { ChatMessage, ProviderId, TokenUsage } from '../domain.js';
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

export interface BatchProvider {
  readonly id: ProviderId;
  limits(model: string): BatchLimits;
  /** The structured-output mode this provider uses for `model` (what `plan` prints). */
  outputMode(model: string): StructuredOutputMode;
  /** One line of the shard file, without the newline. */
  encodeRequest(request: ProviderRequest): string;
  submit(shard: ShardSubmission, options?: { signal?: AbortSignal }): Promise<BatchHandle>;
  poll(handle: BatchHandle, options?: { signal?: AbortSignal }): Promise<BatchStatus>;
  results(handle: BatchHandle, options?: { signal?: AbortSignal }): AsyncIterable<BatchItemResult>;
  cancel(handle: BatchHandle): Promise<BatchStatus>;
  /**
   * Look for a batch this run already created for `shard` (after a crash between create and
   * recording its id). Returns undefined when the provider has no such batch. `knownBatchIds` are
   * batches the store already attributes to other shards, which cannot be this one.
   */
  findSubmitted?(shard: ShardLookup): Promise<BatchHandle | undefined>;
}

/**
 * OpenAI Batch API adapter on the official `openai` SDK: upload the shard file (purpose=batch),
 * create the batch with `metadata` naming the run and shard, poll, stream the output and error files.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import OpenAI, { toStreamingFile } from 'openai';
import type {
  BatchHandle,
  BatchItemResult,
  BatchProvider,
  HostedAdapterOptions,
  BatchStatus,
  ShardLookup,
  ShardSubmission,
  SyncCallOptions,
} from '../batch-provider.js';
import { toProviderApiError } from '../errors.js';
import { textLinesOf, wholeLineChunks } from '../../dataset/line-chunks.js';
import { withRetries } from '../retry.js';
import { CHAT_ENDPOINT, EMBEDDINGS_ENDPOINT, OPENAI_CAPABILITIES } from './openai-capabilities.js';
import { mapOpenAIBatchStatus } from './map-openai-batch-status.js';
import { openAISyncCall } from './openai-sync-call.js';
import { decodeResultLine, OPENAI_RESULT_DECODER } from './openai-result-decoder.js';

export const RUN_METADATA_KEY = 'synthforge_run';
export const SHARD_METADATA_KEY = 'synthforge_shard';
/** The validation error of a batch refused because the model's enqueued-token limit is reached. */
const TOKEN_LIMIT_EXCEEDED = 'token_limit_exceeded';

export type OpenAIBatchProviderOptions = HostedAdapterOptions;

export class OpenAIBatchProvider implements BatchProvider {
  readonly id = 'openai' as const;
  readonly capabilities = OPENAI_CAPABILITIES;
  private readonly client: OpenAI;
  private readonly maxRetries: number;
  /** Named when the server refuses the key. */
  private readonly keyVariables: readonly string[];

  constructor(options: OpenAIBatchProviderOptions) {
    this.maxRetries = options.maxRetries ?? 3;
    this.keyVariables = options.keyVariable ? [options.keyVariable] : OPENAI_CAPABILITIES.keyVariables;
    this.client = new OpenAI({
      apiKey: options.apiKey,
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
      timeout: options.timeoutMs ?? 120_000,
      maxRetries: this.maxRetries,
    });
  }

  async submit(shard: ShardSubmission, options: { signal?: AbortSignal } = {}): Promise<BatchHandle> {
    // The SDK cannot replay a consumed stream, so uploads are retried here with a fresh stream.
    // Repeating an upload is harmless: at worst an unused file is left behind.
    const file = await withRetries(
      () =>
        this.call('upload', false, () =>
          this.client.files.create(
            // Streamed: a shard file can be up to 200 MB and must not be read into memory.
            { file: toStreamingFile(createReadStream(shard.inputPath), uploadName(shard)), purpose: 'batch' },
            { maxRetries: 0, signal: options.signal },
          ),
        ),
      { attempts: this.maxRetries + 1, ...(options.signal ? { signal: options.signal } : {}) },
    );
    // No SDK retry here: a create retried after a timeout or 5xx can create a second batch and
    // bill every request twice. A failure is reported as `ambiguous` and the engine reconciles
    // through `findSubmitted` (batch metadata) before it tries again.
    const batch = await this.call('create', true, () =>
      this.client.batches.create(
        {
          input_file_id: file.id,
          // One endpoint per batch, and each line's url must match it (openai-python#2497).
          endpoint: shard.kind === 'embedding' ? EMBEDDINGS_ENDPOINT : CHAT_ENDPOINT,
          completion_window: '24h',
          metadata: { [RUN_METADATA_KEY]: shard.runId, [SHARD_METADATA_KEY]: shard.shardId },
        },
        { maxRetries: 0, signal: options.signal },
      ),
    );
    return { version: 1, provider: 'openai', model: shard.model, batchId: batch.id, inputFileId: file.id };
  }

  /** One request through the synchronous API, at synchronous prices (openai-sync-call.ts). */
  callSync(line: string, options: SyncCallOptions): Promise<BatchItemResult> {
    return openAISyncCall(this.client, line, { provider: 'openai', keyVariables: this.keyVariables, attempts: this.maxRetries + 1, ...(options.signal ? { signal: options.signal } : {}) });
  }

  async poll(handle: BatchHandle, options: { signal?: AbortSignal } = {}): Promise<BatchStatus> {
    const batch = await this.call('retrieve', false, () => this.client.batches.retrieve(handle.batchId, { signal: options.signal }));
    return toBatchStatus(batch);
  }

  readonly resultDecoder = { module: OPENAI_RESULT_DECODER };

  async *results(handle: BatchHandle, options: { signal?: AbortSignal } = {}): AsyncIterable<BatchItemResult> {
    for await (const chunk of this.resultChunks(handle, options)) {
      for (const line of textLinesOf(chunk)) {
        const result = decodeResultLine(line);
        if (result) yield result;
      }
    }
  }

  async *resultChunks(handle: BatchHandle, options: { signal?: AbortSignal } = {}): AsyncIterable<Uint8Array> {
    const batch = await this.call('retrieve', false, () => this.client.batches.retrieve(handle.batchId, { signal: options.signal }));
    // Either id may be null or even '' (seen in the wild) when there is nothing to put in it.
    for (const fileId of [batch.output_file_id, batch.error_file_id]) {
      if (!fileId) continue;
      const response = await this.call('results', false, () => this.client.files.content(fileId, { signal: options.signal }));
      yield* this.readChunks(response.body);
    }
  }

  async cancel(handle: BatchHandle): Promise<BatchStatus> {
    const batch = await this.call('cancel', false, () => this.client.batches.cancel(handle.batchId));
    return toBatchStatus(batch);
  }

  /**
   * Safe because every batch we create carries our run and shard ids in `metadata`: a batch with
   * both ids was created by this shard's submit and by nothing else. We scan newest first and stop
   * once batches are older than the shard's record (minus clock skew), so the scan is bounded.
   */
  async findSubmitted(shard: ShardLookup, options: { signal?: AbortSignal } = {}): Promise<BatchHandle | undefined> {
    const oldest = Math.floor(shard.submittedAfter / 1000) - 300;
    // The whole scan is one call: the pager fetches later pages while it is iterated.
    return this.call('list', false, async () => {
      for await (const batch of this.client.batches.list({ limit: 100 }, { signal: options.signal })) {
        if (batch.created_at < oldest) break;
        // A batch the provider failed for a full queue keeps our ids in its metadata after the shard was requeued.
        if (shard.knownBatchIds.has(batch.id)) continue;
        const metadata = batch.metadata ?? {};
        if (metadata[RUN_METADATA_KEY] === shard.runId && metadata[SHARD_METADATA_KEY] === shard.shardId) {
          return { version: 1, provider: 'openai', model: shard.model, batchId: batch.id, inputFileId: batch.input_file_id } satisfies BatchHandle;
        }
      }
      return undefined;
    });
  }

  /** A connection lost mid-download is a provider failure (retryable), not a bug. */
  private async *readChunks(body: ReadableStream<Uint8Array> | null): AsyncIterable<Uint8Array> {
    if (!body) return;
    try {
      yield* wholeLineChunks(body as unknown as AsyncIterable<Uint8Array>);
    } catch (error) {
      throw toProviderApiError('openai', 'results', error, { mutating: false, keyVariables: this.keyVariables });
    }
  }

  private async call<T>(operation: string, mutating: boolean, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toProviderApiError('openai', operation, error, { mutating, keyVariables: this.keyVariables });
    }
  }
}

function uploadName(shard: ShardSubmission): string {
  const name = basename(shard.inputPath);
  return name.endsWith('.jsonl') ? name : `${name}.jsonl`;
}

function toBatchStatus(batch: OpenAI.Batches.Batch): BatchStatus {
  const counts = batch.request_counts;
  const errors = batch.errors?.data?.map((error) => ({
    code: error.code ?? 'unknown',
    message: error.message ?? '',
    ...(typeof error.line === 'number' ? { line: error.line } : {}),
  }));
  const state = mapOpenAIBatchStatus(batch.status);
  // Over the per-model enqueued-token limit the batch is created, then fails validation (openai-python#2084).
  const queueFull = state === 'failed' && errors?.some((error) => error.code === TOKEN_LIMIT_EXCEEDED);
  // Any other failure is the input file failing validation (model, endpoint, format): deterministic.
  const rejected = state === 'failed' && !queueFull && errors !== undefined && errors.length > 0;
  return {
    state,
    rawStatus: batch.status,
    ...(counts ? { counts: { total: counts.total, completed: counts.completed, failed: counts.failed } } : {}),
    ...(errors && errors.length > 0 ? { errors } : {}),
    ...(queueFull ? { failure: 'queue_full' as const } : rejected ? { failure: 'input_rejected' as const } : {}),
  };
}

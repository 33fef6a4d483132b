/**
 * Anthropic Message Batches adapter on the official `@anthropic-ai/sdk`: one create call carrying
 * the shard's requests, poll `processing_status`, stream results as JSONL.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import Anthropic from '@anthropic-ai/sdk';
import type {
  BatchHandle,
  BatchItemResult,
  BatchProvider,
  HostedAdapterOptions,
  BatchStatus,
  ShardLookup,
  ShardSubmission,
} from '../batch-provider.js';
import { toProviderApiError } from '../errors.js';
import { ANTHROPIC_CAPABILITIES } from './anthropic-capabilities.js';
import { convertAnthropicResult } from './anthropic-result.js';
import { mapAnthropicBatchStatus, mapAnthropicCounts } from './map-anthropic-batch-status.js';

/** How far apart our record of a submit and the provider's `created_at` may be (clock skew + latency). */
const MATCH_WINDOW_MS = 10 * 60 * 1000;

export type AnthropicBatchProviderOptions = HostedAdapterOptions;

export class AnthropicBatchProvider implements BatchProvider {
  readonly id = 'anthropic' as const;
  readonly capabilities = ANTHROPIC_CAPABILITIES;
  private readonly client: Anthropic;

  constructor(options: AnthropicBatchProviderOptions) {
    this.client = new Anthropic({
      apiKey: options.apiKey,
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
      timeout: options.timeoutMs ?? 120_000,
      maxRetries: options.maxRetries ?? 3,
    });
  }

  async submit(shard: ShardSubmission, options: { signal?: AbortSignal } = {}): Promise<BatchHandle> {
    const requests = await readShardRequests(shard.inputPath);
    // maxRetries 0: the SDK sends no idempotency key, so a retried create can make two batches.
    const batch = await this.call('create', true, () =>
      this.client.messages.batches.create({ requests: requests as never }, { maxRetries: 0, ...(options.signal ? { signal: options.signal } : {}) }),
    );
    return { version: 1, provider: 'anthropic', model: shard.model, batchId: batch.id };
  }

  async poll(handle: BatchHandle, options: { signal?: AbortSignal } = {}): Promise<BatchStatus> {
    const batch = await this.call('retrieve', false, () => this.client.messages.batches.retrieve(handle.batchId, {}, options.signal ? { signal: options.signal } : {}));
    return { state: mapAnthropicBatchStatus(batch.processing_status), rawStatus: batch.processing_status, counts: mapAnthropicCounts(batch.request_counts) };
  }

  async *results(handle: BatchHandle, options: { signal?: AbortSignal } = {}): AsyncIterable<BatchItemResult> {
    const lines = await this.call('results', false, () => this.client.messages.batches.results(handle.batchId, {}, options.signal ? { signal: options.signal } : {}));
    try {
      for await (const line of lines) yield convertAnthropicResult(line as Parameters<typeof convertAnthropicResult>[0]);
    } catch (error) {
      throw toProviderApiError('anthropic', 'results', error, { mutating: false });
    }
  }

  async cancel(handle: BatchHandle): Promise<BatchStatus> {
    const batch = await this.call('cancel', false, () => this.client.messages.batches.cancel(handle.batchId));
    return { state: mapAnthropicBatchStatus(batch.processing_status), rawStatus: batch.processing_status, counts: mapAnthropicCounts(batch.request_counts) };
  }

  /**
   * Anthropic batches carry no metadata, so a batch is matched by what we know of it:
   * - created within a window around the moment we marked the shard `submitting`;
   * - exactly the shard's number of requests (the five counts always sum to the batch size);
   * - not already attributed to another shard of this state directory.
   * One candidate is our batch: another client would have to create a same-sized batch in the same
   * minutes in the same workspace. Several candidates are told apart by custom_ids once they have
   * ended (ours are content hashes, unique to this shard); while any candidate is still running the
   * lookup fails as retryable, and the engine asks again later instead of guessing.
   */
  async findSubmitted(shard: ShardLookup): Promise<BatchHandle | undefined> {
    const candidates: Anthropic.Messages.MessageBatch[] = [];
    for await (const batch of this.client.messages.batches.list({ limit: 100 })) {
      const created = Date.parse(batch.created_at);
      if (created < shard.submittedAfter - MATCH_WINDOW_MS) break;
      if (created > shard.submittedAfter + MATCH_WINDOW_MS || shard.knownBatchIds.has(batch.id)) continue;
      if (mapAnthropicCounts(batch.request_counts).total === shard.requestCount) candidates.push(batch);
    }
    if (candidates.length === 0) return undefined;
    const handleOf = (batch: Anthropic.Messages.MessageBatch): BatchHandle => ({ version: 1, provider: 'anthropic', model: shard.model, batchId: batch.id });
    if (candidates.length === 1) return handleOf(candidates[0]!);
    const ours = await shardCustomIds(shard.inputPath);
    for (const batch of candidates) {
      if (batch.processing_status !== 'ended') {
        throw toProviderApiError('anthropic', 'reconcile', Object.assign(new Error('several candidate batches, some still running'), { status: 503 }), { mutating: false });
      }
      for await (const line of await this.client.messages.batches.results(batch.id)) {
        // Results come in any order: any one line tells whose batch it is.
        if (ours.has(line.custom_id)) return handleOf(batch);
        break;
      }
    }
    return undefined;
  }

  private async call<T>(operation: string, mutating: boolean, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toProviderApiError('anthropic', operation, error, { mutating });
    }
  }
}

async function readShardRequests(path: string): Promise<unknown[]> {
  const requests: unknown[] = [];
  for await (const line of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    if (line !== '') requests.push(JSON.parse(line));
  }
  return requests;
}

async function shardCustomIds(path: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const request of await readShardRequests(path)) ids.add((request as { custom_id: string }).custom_id);
  return ids;
}

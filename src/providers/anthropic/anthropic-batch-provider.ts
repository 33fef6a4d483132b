/**
 * Anthropic Message Batches adapter on the official `@anthropic-ai/sdk`: one create call carrying
 * the shard's requests, poll `processing_status`, stream results as JSONL.
 */
import { readFileLines } from '../../dataset/read-file-lines.js';
import { textLinesOf, wholeLineChunks } from '../../dataset/line-chunks.js';
import { setTimeout as sleep } from 'node:timers/promises';
import Anthropic, { AnthropicError } from '@anthropic-ai/sdk';
import { SynthforgeError } from '../../errors.js';
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
import { SharedExclusiveLock } from '../shared-exclusive-lock.js';
import { ANTHROPIC_CAPABILITIES } from './anthropic-capabilities.js';
import { ANTHROPIC_RESULT_DECODER, decodeResultLine } from './anthropic-result-decoder.js';
import { mapAnthropicBatchStatus, mapAnthropicCounts } from './map-anthropic-batch-status.js';
import { anthropicSyncCall } from './anthropic-sync-call.js';

/** How far apart our record of a submit and the provider's `created_at` may be (clock skew + latency). */
const MATCH_WINDOW_MS = 10 * 60 * 1000;
/** Longest wait between two looks at candidate batches that have not ended yet. */
const MAX_RECONCILE_WAIT_MS = 60_000;

export interface AnthropicBatchProviderOptions extends HostedAdapterOptions {
  /**
   * First wait before `findSubmitted` looks again at same-sized candidate batches that are still
   * running (it doubles up to a minute); default 1 s.
   */
  reconcileWaitMs?: number;
}

export class AnthropicBatchProvider implements BatchProvider {
  readonly id = 'anthropic' as const;
  readonly capabilities = ANTHROPIC_CAPABILITIES;
  private readonly client: Anthropic;
  /** Named when the server refuses the key. */
  private readonly keyVariables: readonly string[];
  private readonly reconcileWaitMs: number;
  /**
   * Batches this process created, or adopted for a shard: never the batch of another shard. A resumed
   * run submits some shards while it looks up others, and a sibling's new batch of the same size must
   * not be mistaken for the one a crash left behind.
   */
  private readonly claimed = new Set<string>();
  /** Creates share it; a lookup's scan holds it alone, so every batch it sees is either claimed or not ours. */
  private readonly lookupLock = new SharedExclusiveLock();

  constructor(options: AnthropicBatchProviderOptions) {
    this.keyVariables = options.keyVariable ? [options.keyVariable] : ANTHROPIC_CAPABILITIES.keyVariables;
    this.reconcileWaitMs = options.reconcileWaitMs ?? 1_000;
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
    const batch = await this.lookupLock.withShared(async () => {
      const created = await this.call('create', true, () =>
        this.client.messages.batches.create({ requests: requests as never }, { maxRetries: 0, ...(options.signal ? { signal: options.signal } : {}) }),
      );
      this.claimed.add(created.id);
      return created;
    });
    return { version: 1, provider: 'anthropic', model: shard.model, batchId: batch.id };
  }

  /** One request through the synchronous Messages API, at synchronous prices (anthropic-sync-call.ts). */
  callSync(line: string, options: SyncCallOptions): Promise<BatchItemResult> {
    return anthropicSyncCall(this.client, line, { keyVariables: this.keyVariables, ...(options.signal ? { signal: options.signal } : {}) });
  }

  async poll(handle: BatchHandle, options: { signal?: AbortSignal } = {}): Promise<BatchStatus> {
    const batch = await this.call('retrieve', false, () => this.client.messages.batches.retrieve(handle.batchId, {}, options.signal ? { signal: options.signal } : {}));
    return { state: mapAnthropicBatchStatus(batch.processing_status), rawStatus: batch.processing_status, counts: mapAnthropicCounts(batch.request_counts) };
  }

  readonly resultDecoder = { module: ANTHROPIC_RESULT_DECODER };

  async *results(handle: BatchHandle, options: { signal?: AbortSignal } = {}): AsyncIterable<BatchItemResult> {
    for await (const chunk of this.resultChunks(handle, options)) {
      for (const line of textLinesOf(chunk)) {
        const result = decodeResultLine(line);
        if (result) yield result;
      }
    }
  }

  /**
   * The results file as the SDK's `batches.results` fetches it (the batch's `results_url`), but raw:
   * the SDK would parse every line on this thread, where collect's threads want the bytes.
   */
  async *resultChunks(handle: BatchHandle, options: { signal?: AbortSignal } = {}): AsyncIterable<Uint8Array> {
    const signal = options.signal ? { signal: options.signal } : {};
    const response = await this.call('results', false, async () => {
      const batch = await this.client.messages.batches.retrieve(handle.batchId, {}, signal);
      if (!batch.results_url) throw new AnthropicError(`No batch \`results_url\`; Has it finished processing? ${batch.processing_status} - ${batch.id}`);
      return this.client.get(batch.results_url, { ...signal, headers: { Accept: 'application/binary' }, __binaryResponse: true }).asResponse();
    });
    if (!response.body) return;
    try {
      yield* wholeLineChunks(response.body as unknown as AsyncIterable<Uint8Array>);
    } catch (error) {
      // A connection lost mid-download is a provider failure (retryable), not a bug.
      throw this.providerError('results', error);
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
   * - not already attributed to another shard (the store's `knownBatchIds`, and the batches this
   *   process created or adopted).
   * One candidate is our batch: another client would have to create a same-sized batch in the same
   * minutes in the same workspace. Several candidates (a crash right after the creates of several
   * same-sized shards) are told apart by custom_ids, ours being content hashes unique to this shard,
   * which only an ended batch shows: the lookup waits for candidates to end, as polling our batch
   * would have. Waiting costs nothing: an unidentified batch could not be collected sooner.
   */
  async findSubmitted(shard: ShardLookup, options: { signal?: AbortSignal } = {}): Promise<BatchHandle | undefined> {
    const handleOf = (batch: Anthropic.Messages.MessageBatch): BatchHandle => {
      this.claimed.add(batch.id);
      return { version: 1, provider: 'anthropic', model: shard.model, batchId: batch.id };
    };
    // Listed and (for a single candidate) claimed alone, so two lookups cannot both take one batch.
    const listed = await this.lookupLock.withExclusive(async () => {
      const candidates = await this.listCandidates(shard, options.signal);
      return candidates.length === 1 ? handleOf(candidates[0]!) : candidates;
    });
    if (!Array.isArray(listed)) return listed;
    let pending = listed;
    const ours = pending.length > 0 ? await shardCustomIds(shard.inputPath) : new Set<string>();
    for (let wait = this.reconcileWaitMs; pending.length > 0; wait = Math.min(MAX_RECONCILE_WAIT_MS, wait * 2)) {
      const running: Anthropic.Messages.MessageBatch[] = [];
      for (const batch of pending) {
        // Adopted meanwhile by the lookup of the shard it belongs to.
        if (this.claimed.has(batch.id)) continue;
        if (batch.processing_status !== 'ended') running.push(batch);
        else if (await this.holdsAny(batch.id, ours, options.signal)) return handleOf(batch);
      }
      if (running.length === 0) return undefined;
      await sleep(wait, undefined, options.signal ? { signal: options.signal } : undefined);
      pending = [];
      for (const batch of running) {
        pending.push(await this.call('retrieve', false, () => this.client.messages.batches.retrieve(batch.id, {}, options.signal ? { signal: options.signal } : {})));
      }
    }
    return undefined;
  }

  /** Unclaimed batches of the shard's size created around the time it was marked `submitting`, newest first. */
  private listCandidates(shard: ShardLookup, signal: AbortSignal | undefined): Promise<Anthropic.Messages.MessageBatch[]> {
    // One call: the pager fetches later pages while it is iterated.
    return this.call('list', false, async () => {
      const candidates: Anthropic.Messages.MessageBatch[] = [];
      for await (const batch of this.client.messages.batches.list({ limit: 100 }, signal ? { signal } : {})) {
        const created = Date.parse(batch.created_at);
        if (created < shard.submittedAfter - MATCH_WINDOW_MS) break;
        if (created > shard.submittedAfter + MATCH_WINDOW_MS || shard.knownBatchIds.has(batch.id) || this.claimed.has(batch.id)) continue;
        if (mapAnthropicCounts(batch.request_counts).total === shard.requestCount) candidates.push(batch);
      }
      return candidates;
    });
  }

  /** Whether an ended batch's results hold our custom_ids: results come in any order, and any one line tells. */
  private holdsAny(batchId: string, customIds: ReadonlySet<string>, signal: AbortSignal | undefined): Promise<boolean> {
    return this.call('results', false, async () => {
      for await (const line of await this.client.messages.batches.results(batchId, {}, signal ? { signal } : {})) return customIds.has(line.custom_id);
      return false;
    });
  }

  private async call<T>(operation: string, mutating: boolean, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.providerError(operation, error, mutating);
    }
  }

  private providerError(operation: string, error: unknown, mutating = false): unknown {
    if (SynthforgeError.isInstance(error)) return error;
    // 529 overloaded_error on create is a refusal at the door, like a 429 for a full processing queue.
    return toProviderApiError('anthropic', operation, error, { mutating, keyVariables: this.keyVariables, queueFullStatuses: [529] });
  }
}

async function readShardRequests(path: string): Promise<unknown[]> {
  const requests: unknown[] = [];
  for await (const line of readFileLines(path)) {
    if (line !== '') requests.push(JSON.parse(line));
  }
  return requests;
}

async function shardCustomIds(path: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const request of await readShardRequests(path)) ids.add((request as { custom_id: string }).custom_id);
  return ids;
}

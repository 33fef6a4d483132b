/**
 * Gemini API batch mode on the official `@google/genai` SDK. A small chat shard goes inline in the
 * create call (`batches.create` with `InlinedRequest[]`, key in `metadata.key`); a larger one, and
 * every embedding shard, is uploaded through the Files API (resumable upload, streamed from disk in
 * 8 MB chunks by the SDK) and the job is created from the file (`batches.create` /
 * `batches.createEmbeddings`). Jobs are polled with `batches.get`; results come inline or as a
 * responses file downloaded with `files.download` and read line by line.
 *
 * Why embeddings always use a file: the SDK's inline embedding form (`EmbedContentBatch`) takes one
 * config for all texts and has no per-request metadata, so results could only be matched by position.
 * Every file line carries its key.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { textLinesOf, wholeLineChunks } from '../../dataset/line-chunks.js';
import { GoogleGenAI, type BatchJob, type Fetch, type InlinedRequest } from '@google/genai';
import { SynthforgeError } from '../../errors.js';
import type {
  BatchHandle,
  BatchItemResult,
  BatchProvider,
  HostedAdapterOptions,
  BatchStatus,
  ShardKind,
  ShardLookup,
  ShardSubmission,
  SyncCallOptions,
} from '../batch-provider.js';
import { ProviderApiError } from '../errors.js';
import { withRetries } from '../retry.js';
import { GEMINI_CAPABILITIES } from './gemini-capabilities.js';
import { toGeminiProviderError } from './gemini-api-error.js';
import { isEmbedRequest, toInlinedRequest, type GeminiGenerateRequest } from './gemini-request.js';
import { describeStatus, type GeminiStatus } from './gemini-result.js';
import { decodeResultLine, GEMINI_RESULT_DECODER } from './gemini-result-decoder.js';
import { mapGeminiBatchState, mapGeminiBatchStats } from './map-gemini-batch-status.js';
import { geminiSyncCall } from './gemini-sync-call.js';

const MB = 1024 * 1024;
/** Inline requests must total under 20 MB; the SDK's JSON wrapping adds a little per line. */
export const DEFAULT_INLINE_MAX_BYTES = 10 * MB;
/** How far before our record of a submit a job may have been created and still be ours (clock skew). */
const MATCH_WINDOW_MS = 10 * 60 * 1000;
/** Bytes read (or inline lines gathered) per chunk of results; collect's threads take about this much per batch. */
const READ_CHUNK_BYTES = 256 * 1024;
/** The upload MIME type Google's batch guide uses for JSONL input. */
const JSONL_MIME_TYPE = 'jsonl';

/** Without `baseURL` the SDK uses GOOGLE_GEMINI_BASE_URL, else https://generativelanguage.googleapis.com. */
export interface GeminiBatchProviderOptions extends HostedAdapterOptions {
  /** Default `v1beta` (the SDK's). */
  apiVersion?: string;
  /** Chat shards whose file is at most this many bytes are sent inline; default 10 MB. */
  inlineMaxBytes?: number;
}

/** The raw REST operation of a job: `metadata.batchStats` and `error` are dropped by the SDK's BatchJob. */
interface RawOperation {
  metadata?: { state?: string; batchStats?: unknown };
  error?: GeminiStatus;
}

export class GeminiBatchProvider implements BatchProvider {
  readonly id = 'gemini' as const;
  readonly capabilities = GEMINI_CAPABILITIES;
  private readonly client: GoogleGenAI;
  private readonly maxRetries: number;
  private readonly inlineMaxBytes: number;
  /** Named when the server refuses the key. */
  private readonly keyVariables: readonly string[];

  constructor(options: GeminiBatchProviderOptions) {
    this.maxRetries = options.maxRetries ?? 3;
    this.keyVariables = options.keyVariable ? [options.keyVariable] : GEMINI_CAPABILITIES.keyVariables;
    this.inlineMaxBytes = options.inlineMaxBytes ?? DEFAULT_INLINE_MAX_BYTES;
    this.client = new GoogleGenAI({
      apiKey: options.apiKey,
      // Explicit, so GOOGLE_GENAI_USE_VERTEXAI in the environment cannot switch backends.
      vertexai: false,
      ...(options.apiVersion ? { apiVersion: options.apiVersion } : {}),
      // No retryOptions: the SDK then sends every call once, which is what create needs.
      httpOptions: { ...(options.baseURL ? { baseUrl: options.baseURL } : {}), timeout: options.timeoutMs ?? 120_000 },
    });
  }

  async submit(shard: ShardSubmission, options: { signal?: AbortSignal } = {}): Promise<BatchHandle> {
    const kind = shard.kind ?? (await sniffShardKind(shard.inputPath));
    const displayName = jobDisplayName(shard);
    const signal = options.signal ? { abortSignal: options.signal } : {};
    if (kind === 'chat' && (await stat(shard.inputPath)).size <= this.inlineMaxBytes) {
      // Read and checked before the create call, so a broken line is not mistaken for an ambiguous create.
      const requests = await readInlineRequests(shard.inputPath);
      const job = await this.call('create', true, () => this.client.batches.create({ model: shard.model, src: requests, config: { displayName, ...signal } }));
      return handleOf(shard, kind, job);
    }
    // The SDK cannot be given a signal or per-call options here: `config.httpOptions` would replace its
    // resumable-upload headers. Repeating an upload is harmless (an unused file expires after 48 h).
    const file = await this.retried(options.signal, () =>
      this.call('upload', false, () => this.client.files.upload({ file: shard.inputPath, config: { mimeType: JSONL_MIME_TYPE, displayName } })),
    );
    const fileName = file.name;
    if (!fileName) throw new ProviderApiError('gemini upload failed: the file has no name', { provider: 'gemini', operation: 'upload', retryable: true, ambiguous: false });
    // No retry: a create retried after a timeout or 5xx can start a second job and bill it twice. A failure
    // is reported `ambiguous` and the engine reconciles through findSubmitted (the display name).
    const job = await this.call('create', true, () =>
      kind === 'embedding'
        ? this.client.batches.createEmbeddings({ model: shard.model, src: { fileName }, config: { displayName, ...signal } })
        : this.client.batches.create({ model: shard.model, src: fileName, config: { displayName, ...signal } }),
    );
    return { ...handleOf(shard, kind, job), inputFileId: fileName };
  }

  /** One request through generateContent / embedContent, at synchronous prices (gemini-sync-call.ts). */
  callSync(line: string, options: SyncCallOptions): Promise<BatchItemResult> {
    return geminiSyncCall(this.client, options.model, line, { keyVariables: this.keyVariables, ...(options.signal ? { signal: options.signal } : {}) });
  }

  async poll(handle: BatchHandle, options: { signal?: AbortSignal } = {}): Promise<BatchStatus> {
    const { job, raw } = await this.retried(options.signal, () => this.getJob(handle.batchId, options.signal));
    return toBatchStatus(job, raw);
  }

  readonly resultDecoder = { module: GEMINI_RESULT_DECODER };

  async *results(handle: BatchHandle, options: { signal?: AbortSignal } = {}): AsyncIterable<BatchItemResult> {
    for await (const chunk of this.resultChunks(handle, options)) {
      for (const line of textLinesOf(chunk)) {
        const result = decodeResultLine(line);
        if (result) yield result;
      }
    }
  }

  /**
   * A file job's responses file as it was downloaded; a job sent inline has its responses in the job
   * itself, already parsed by the SDK, and each is written back as the line a responses file would
   * hold for it, so that one decoder (on whichever thread) reads both.
   */
  async *resultChunks(handle: BatchHandle, options: { signal?: AbortSignal } = {}): AsyncIterable<Uint8Array> {
    const { job } = await this.retried(options.signal, () => this.getJob(handle.batchId, options.signal));
    const dest = job.dest ?? {};
    yield* inlineResultChunks([...(dest.inlinedResponses ?? []), ...(dest.inlinedEmbedContentResponses ?? [])]);
    if (dest.fileName) yield* this.responsesFileChunks(dest.fileName, options.signal);
  }

  async cancel(handle: BatchHandle): Promise<BatchStatus> {
    await this.retried(undefined, () => this.call('cancel', false, () => this.client.batches.cancel({ name: handle.batchId })));
    return this.poll(handle);
  }

  /**
   * Safe because every job we create is named `synthforge:<run id>:<shard id>`: a job with that display
   * name was created by this shard's submit and by nothing else (run ids are unique per run). Jobs made
   * well before the shard was marked as submitting, or already attributed to another shard, are skipped.
   * The list order is not documented, so every page is read.
   */
  async findSubmitted(shard: ShardLookup): Promise<BatchHandle | undefined> {
    const displayName = jobDisplayName(shard);
    try {
      const pager = await this.client.batches.list({ config: { pageSize: 100 } });
      for await (const job of pager) {
        if (job.displayName !== displayName || !job.name || shard.knownBatchIds.has(job.name)) continue;
        if (job.createTime && Date.parse(job.createTime) < shard.submittedAfter - MATCH_WINDOW_MS) continue;
        return handleOf(shard, shard.kind ?? (await sniffShardKind(shard.inputPath)), job);
      }
    } catch (error) {
      throw SynthforgeError.isInstance(error) ? error : toGeminiProviderError('list', error, { mutating: false, keyVariables: this.keyVariables });
    }
    return undefined;
  }

  /** `batches.get`, plus the raw operation read from the same response (see RawOperation). */
  private async getJob(name: string, signal: AbortSignal | undefined): Promise<{ job: BatchJob; raw: RawOperation }> {
    let raw: unknown;
    const capture: Fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (response.ok) raw = await response.clone().json().catch(() => undefined);
      return response;
    };
    const job = await this.call('retrieve', false, () =>
      this.client.batches.get({ name, config: { httpOptions: { fetch: capture }, ...(signal ? { abortSignal: signal } : {}) } }),
    );
    return { job, raw: typeof raw === 'object' && raw !== null ? (raw as RawOperation) : {} };
  }

  /** Downloaded to a temp file (the SDK only writes downloads to a path), then read whole lines at a time. */
  private async *responsesFileChunks(fileName: string, signal: AbortSignal | undefined): AsyncIterable<Uint8Array> {
    const dir = await mkdtemp(join(tmpdir(), 'synthforge-gemini-'));
    try {
      const path = join(dir, 'responses.jsonl');
      await this.retried(signal, () =>
        this.call('results', false, () => this.client.files.download({ file: fileName, downloadPath: path, config: signal ? { abortSignal: signal } : {} })),
      );
      yield* wholeLineChunks(createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private retried<T>(signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    return withRetries(run, { attempts: this.maxRetries + 1, ...(signal ? { signal } : {}) });
  }

  private async call<T>(operation: string, mutating: boolean, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toGeminiProviderError(operation, error, { mutating, keyVariables: this.keyVariables });
    }
  }
}

export function jobDisplayName(shard: { runId: string; shardId: string }): string {
  return `synthforge:${shard.runId}:${shard.shardId}`;
}

function handleOf(shard: { model: string }, kind: ShardKind, job: BatchJob): BatchHandle {
  if (!job.name) {
    throw new ProviderApiError('gemini create returned a job without a name', { provider: 'gemini', operation: 'create', retryable: false, ambiguous: true });
  }
  return { version: 1, provider: 'gemini', model: shard.model, batchId: job.name, kind };
}

/**
 * Inline responses as responses-file lines (`{"key", "response" | "error" | "status"}`: what
 * convertGeminiEntry reads), in chunks of whole lines. One without a string key is left out, as a
 * file line without one is: its request shows up as missing.
 */
function* inlineResultChunks(entries: readonly { metadata?: Record<string, unknown>; response?: unknown; error?: unknown; status?: unknown }[]): Iterable<Uint8Array> {
  let lines: string[] = [];
  let length = 0;
  for (const entry of entries) {
    const key = entry.metadata?.key;
    if (typeof key !== 'string') continue;
    const line = JSON.stringify({ key, response: entry.response, error: entry.error, status: entry.status });
    lines.push(line);
    length += line.length + 1;
    if (length < READ_CHUNK_BYTES) continue;
    yield Buffer.from(`${lines.join('\n')}\n`);
    lines = [];
    length = 0;
  }
  if (lines.length > 0) yield Buffer.from(`${lines.join('\n')}\n`);
}

function toBatchStatus(job: BatchJob, raw: RawOperation): BatchStatus {
  const rawStatus = raw.metadata?.state ?? job.state ?? 'BATCH_STATE_UNSPECIFIED';
  const state = mapGeminiBatchState(rawStatus);
  const counts = mapGeminiBatchStats(raw.metadata?.batchStats);
  const error = state === 'failed' ? (raw.error ?? job.error) : undefined;
  const code = error ? describeStatus(error).code : undefined;
  return {
    state,
    rawStatus,
    ...(counts ? { counts } : {}),
    ...(error ? { errors: [{ code: code!, message: error.message ?? '' }] } : {}),
    ...(code ? failureKind(code) : {}),
  };
}

/**
 * Codes of a failed job that say its input itself was refused (an unreadable line, a repeated
 * key, a model or file that does not exist): sending the same requests again fails the same way.
 */
const INPUT_REJECTED_CODES = new Set(['INVALID_ARGUMENT', 'NOT_FOUND', 'FAILED_PRECONDITION', 'OUT_OF_RANGE']);

function failureKind(code: string): Pick<BatchStatus, 'failure'> {
  // A job failed for the enqueued-token quota ran nothing; it is sent again once queued work finished.
  if (code === 'RESOURCE_EXHAUSTED') return { failure: 'queue_full' };
  if (INPUT_REJECTED_CODES.has(code)) return { failure: 'input_rejected' };
  // INTERNAL, UNAVAILABLE, DEADLINE_EXCEEDED, …: the service's trouble, worth another attempt.
  return {};
}

async function* shardLines(path: string): AsyncIterable<{ line: string; number: number }> {
  const input = createReadStream(path, 'utf8');
  let number = 0;
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      number++;
      if (line !== '') yield { line, number };
    }
  } finally {
    // A caller that stops early (sniffShardKind) must not leave the file open.
    input.destroy();
  }
}

/** For a submission that does not say its kind: embedding lines carry `request.content`. */
async function sniffShardKind(path: string): Promise<ShardKind> {
  for await (const { line } of shardLines(path)) {
    return isEmbedRequest((JSON.parse(line) as { request?: unknown }).request) ? 'embedding' : 'chat';
  }
  return 'chat';
}

async function readInlineRequests(path: string): Promise<InlinedRequest[]> {
  const requests: InlinedRequest[] = [];
  for await (const { line, number } of shardLines(path)) {
    let parsed: { key?: unknown; request?: unknown };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      throw shardLineError(path, number, 'not JSON');
    }
    const request = parsed.request as GeminiGenerateRequest | undefined;
    if (typeof parsed.key !== 'string' || !request || !Array.isArray(request.contents) || request.contents.length === 0) {
      throw shardLineError(path, number, 'not a Gemini generate request with a key and contents');
    }
    requests.push(toInlinedRequest({ key: parsed.key, request: request as GeminiGenerateRequest & Record<string, unknown> }));
  }
  return requests;
}

function shardLineError(path: string, line: number, problem: string): SynthforgeError {
  return new SynthforgeError('shard_file_invalid', `shard file ${path} line ${line} is ${problem}`, { details: { path, line } });
}

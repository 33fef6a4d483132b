/**
 * OpenAI-compatible servers (vLLM, Ollama, llama.cpp server, LM Studio) have no batch API, so this
 * provider runs a shard's requests through synchronous chat completions, a bounded number at a
 * time, and reports them through the same submit/poll/results interface as a batch.
 *
 * Each answered request is appended to `<shard>.results.jsonl` as soon as it completes, so a
 * restarted process resumes the shard where it stopped instead of asking again.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import OpenAI from 'openai';
import { SecretRedactor } from '../../redact-secrets.js';
import type {
  BatchHandle,
  BatchItemResult,
  BatchProvider,
  BatchStatus,
  ShardLookup,
  ShardSubmission,
  SyncCallOptions,
} from '../batch-provider.js';
import { PROVIDER_AUTH_CODE, ProviderApiError, toProviderApiError } from '../errors.js';
import { convertOpenAIResultLine } from '../openai/openai-batch-wire.js';
import { OPENAI_COMPATIBLE_CAPABILITIES } from './openai-compatible-capabilities.js';
import { withRetries } from '../retry.js';
import { openAISyncCall } from '../openai/openai-sync-call.js';


export interface OpenAICompatibleProviderOptions {
  baseURL: string;
  apiKey?: string;
  /** The environment variable `apiKey` came from, named when the server refuses it. */
  keyVariable?: string;
  /**
   * Applied to each answer before it is appended to the results file (a server may echo the key in an
   * error). Default: redacts `apiKey` itself.
   */
  redactor?: SecretRedactor;
  /** Requests in flight at once (local servers batch internally; 8 keeps a single GPU busy). */
  concurrency?: number;
  /** Attempts per request on 429 / 5xx / connection errors. */
  maxAttempts?: number;
  timeoutMs?: number;
  /** Backoff base for retries, ms. */
  retryBaseMs?: number;
}

interface Job {
  total: number;
  done: number;
  failed: number;
  finished: boolean;
  controller: AbortController;
  error?: unknown;
}

export class OpenAICompatibleProvider implements BatchProvider {
  readonly id = 'openai-compatible' as const;
  readonly capabilities = OPENAI_COMPATIBLE_CAPABILITIES;
  private readonly client: OpenAI;
  private readonly jobs = new Map<string, Job>();
  private readonly redactor: SecretRedactor;
  private readonly keyVariables: readonly string[];

  constructor(private readonly options: OpenAICompatibleProviderOptions) {
    const keyVariable = options.keyVariable ?? OPENAI_COMPATIBLE_CAPABILITIES.optionalKeyVariables?.[0];
    this.keyVariables = keyVariable ? [keyVariable] : [];
    this.redactor = options.redactor ?? new SecretRedactor(options.apiKey && keyVariable ? [{ name: keyVariable, value: options.apiKey }] : []);
    this.client = new OpenAI({ apiKey: options.apiKey ?? 'none', baseURL: options.baseURL, timeout: options.timeoutMs ?? 600_000, maxRetries: 0 });
  }

  async submit(shard: ShardSubmission): Promise<BatchHandle> {
    const handle: BatchHandle = { version: 1, provider: 'openai-compatible', model: shard.model, batchId: `local-${shard.shardId}`, inputPath: shard.inputPath };
    await this.startJob(handle);
    return handle;
  }

  /** One request, answered at once (what this provider does for every request anyway). */
  callSync(line: string, options: SyncCallOptions): Promise<BatchItemResult> {
    const call = openAISyncCall(this.client, line, {
      provider: 'openai-compatible',
      keyVariables: this.keyVariables,
      attempts: this.options.maxAttempts ?? 6,
      baseDelayMs: this.options.retryBaseMs ?? 500,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return call.then((result) => this.redactor.value(result));
  }

  async poll(handle: BatchHandle): Promise<BatchStatus> {
    const job = this.jobs.get(handle.batchId) ?? (await this.startJob(handle));
    if (job.error) throw job.error;
    const counts = { total: job.total, completed: job.done - job.failed, failed: job.failed };
    return job.finished ? { state: 'ended', rawStatus: 'completed', counts } : { state: 'running', rawStatus: 'in_progress', counts };
  }

  async *results(handle: BatchHandle): AsyncIterable<BatchItemResult> {
    for (const result of (await readResults(resultsPath(handle))).values()) yield result;
  }

  async cancel(handle: BatchHandle): Promise<BatchStatus> {
    const job = this.jobs.get(handle.batchId);
    job?.controller.abort();
    return { state: 'ended', rawStatus: 'cancelled', ...(job ? { counts: { total: job.total, completed: job.done - job.failed, failed: job.failed } } : {}) };
  }

  /** A shard that wrote any results was submitted; nothing is billed twice by re-running it anyway. */
  async findSubmitted(shard: ShardLookup): Promise<BatchHandle | undefined> {
    const handle: BatchHandle = { version: 1, provider: 'openai-compatible', model: shard.model, batchId: `local-${shard.shardId}`, inputPath: shard.inputPath };
    return existsSync(resultsPath(handle)) ? handle : undefined;
  }

  /** Starts (or, after a restart, continues) running a shard's requests in the background. */
  private async startJob(handle: BatchHandle): Promise<Job> {
    const lines = (await readFile(handle.inputPath!, 'utf8')).split('\n').filter((line) => line !== '');
    sealTornLine(resultsPath(handle));
    const answered = await readResults(resultsPath(handle));
    const pending = lines.map((line) => JSON.parse(line) as { custom_id: string; body: Record<string, unknown> }).filter((item) => !answered.has(item.custom_id));
    const failed = [...answered.values()].filter((result) => result.outcome !== 'succeeded').length;
    const job: Job = { total: lines.length, done: answered.size, failed, finished: pending.length === 0, controller: new AbortController() };
    this.jobs.set(handle.batchId, job);
    if (!job.finished) void this.runJob(handle, job, pending);
    return job;
  }

  private async runJob(handle: BatchHandle, job: Job, pending: { custom_id: string; body: Record<string, unknown> }[]): Promise<void> {
    const concurrency = Math.max(1, this.options.concurrency ?? 8);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < pending.length && !job.controller.signal.aborted) {
        const item = pending[next++]!;
        const result = this.redactor.value(await this.complete(item.custom_id, item.body, job.controller.signal));
        if (job.controller.signal.aborted) return;
        appendFileSync(resultsPath(handle), `${JSON.stringify(result)}\n`);
        job.done++;
        if (result.outcome !== 'succeeded') job.failed++;
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, pending.length) }, worker));
    } catch (error) {
      job.error = this.redactor.error(error);
      // A refused key fails every request alike: the others in flight are not worth finishing.
      job.controller.abort();
    }
    job.finished = true;
  }

  /** One request, retried on 429 (honouring Retry-After) and 5xx with jittered exponential backoff. */
  private async complete(customId: string, body: Record<string, unknown>, signal: AbortSignal): Promise<BatchItemResult> {
    try {
      const completion = await withRetries(
        async () => {
          try {
            // x-request-key: lets a server (or our emulator) tell samples of the same prompt apart.
            return await this.client.chat.completions.create(body as never, { signal, headers: { 'x-request-key': customId } });
          } catch (error) {
            throw toProviderApiError('openai-compatible', 'chat', error, { mutating: false, keyVariables: this.keyVariables });
          }
        },
        { attempts: this.options.maxAttempts ?? 6, baseDelayMs: this.options.retryBaseMs ?? 500, signal },
      );
      const result = convertOpenAIResultLine(JSON.stringify({ custom_id: customId, response: { status_code: 200, body: completion } }));
      return 'outcome' in result ? result : { customId, outcome: 'errored', error: { code: 'malformed_response', message: result.malformed, retryable: true } };
    } catch (error) {
      // A refused key is the server's answer to every request: the shard fails instead of each line.
      if (!ProviderApiError.isInstance(error) || error.code === PROVIDER_AUTH_CODE) throw error;
      const details = (error as ProviderApiError).details;
      return {
        customId,
        outcome: 'errored',
        error: { code: details.providerCode ?? `http_${details.statusCode ?? 'none'}`, message: error.message, ...(details.statusCode ? { status: details.statusCode } : {}), retryable: details.retryable },
      };
    }
  }
}

/** A crash mid-append leaves a line without its newline; end it so the next append starts clean. */
function sealTornLine(path: string): void {
  if (!existsSync(path)) return;
  const content = readFileSync(path);
  if (content.length > 0 && content[content.length - 1] !== 0x0a) appendFileSync(path, '\n');
}

function resultsPath(handle: BatchHandle): string {
  return `${handle.inputPath}.results.jsonl`;
}

/** Answered requests of a shard, by custom_id (a line half-written by a crash is ignored). */
async function readResults(path: string): Promise<Map<string, BatchItemResult>> {
  const results = new Map<string, BatchItemResult>();
  if (!existsSync(path)) return results;
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    if (line === '') continue;
    try {
      const result = JSON.parse(line) as BatchItemResult;
      results.set(result.customId, result);
    } catch {
      // The last line of a file cut by a crash: that request is simply asked again.
    }
  }
  return results;
}

/**
 * Anthropic Message Batches routes: create, retrieve, list, cancel, delete, results; and the control routes'
 * view of an Anthropic batch. The create body is streamed to disk (it may be 256 MB) and checked
 * synchronously: custom_id pattern and uniqueness, 1..100,000 requests, size (413). Params are checked
 * later, per request, as the API does.
 */
import { readFile, rename, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BatchDebugView } from '../core/control-routes.js';
import type { ApiCall } from '../core/emulator-context.js';
import { batchFaultSnapshot } from '../core/credential-faults.js';
import { takeCreateErrorStatus, takeListErrorStatus } from '../core/fault-decisions.js';
import { badRequest, EmulatorHttpError, notFound, sendFile, sendJson, streamBodyToFile } from '../core/http-io.js';
import { randomId } from '../core/ids.js';
import { pageAround } from '../core/pagination.js';
import { notePeak, retryAfterMs } from '../core/queue-tokens.js';
import { isSchemaNode } from '../core/schema-data.js';
import { anthropicPaths, finishAnthropicBatch, runAnthropicBatchJob, type BatchRequestInput } from './anthropic-batch-job.js';
import {
  anthropicBatchPhase,
  renderAnthropicBatch,
  type AnthropicBatchRecord,
  type AnthropicContext,
} from './anthropic-batch-record.js';

const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;

/** The API's error type for each status the `createErrors` fault may inject. */
const CREATE_ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const newAnthropicBatchId = (): string => randomId('msgbatch_01', 24);

/** The error the next create call must fail with under the `createErrors` fault, or null. */
function takeCreateError(context: AnthropicContext): EmulatorHttpError | null {
  const status = takeCreateErrorStatus(context.faults, context.stats.faultsInjected);
  if (status === undefined) return null;
  const headers: Record<string, string> = status === 429 ? { 'retry-after-ms': '10' } : {};
  const type = CREATE_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return new EmulatorHttpError({ status, type, message: `Injected HTTP ${status} (${type}).`, headers });
}

/** The error the next list call must fail with under the `listErrors` fault, or null. */
function takeListError(context: AnthropicContext): EmulatorHttpError | null {
  const status = takeListErrorStatus(context.faults, context.stats.faultsInjected);
  if (status === undefined) return null;
  const type = CREATE_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return new EmulatorHttpError({ status, type, message: `Injected HTTP ${status} (${type}).`, headers: { 'retry-after-ms': '10' } });
}

/**
 * The processing-queue limit: requests of batches not yet ended, every model together. A create that
 * would pass it is refused with 429 rate_limit_error (nothing is created); the retry-after says when
 * the first queued batch should end.
 */
function checkQueuedRequests(context: AnthropicContext, count: number): void {
  const limit = context.limits.anthropicMaxQueuedRequests;
  if (limit === 0) return;
  const now = context.clock();
  let queued = 0;
  const ends: number[] = [];
  for (const other of context.anthropicBatches.values()) {
    if (anthropicBatchPhase(other, now).status === 'ended') continue;
    queued += other.requestCount;
    ends.push(Math.max(other.createdAtMs + other.faults.timing.inProgressMs, other.run?.doneAtMs ?? 0));
  }
  if (queued + count > limit) {
    context.stats.queue.refused.anthropic++;
    const waitMs = retryAfterMs(ends, now);
    throw new EmulatorHttpError({
      status: 429,
      type: 'rate_limit_error',
      message: `This batch of ${count} requests would put ${queued + count} requests in your organization's batch processing queue, over its limit of ${limit}. Please try again once some batches have ended.`,
      headers: { 'retry-after': String(Math.ceil(waitMs / 1000)), 'retry-after-ms': String(waitMs) },
    });
  }
  notePeak(context.stats.queue, 'anthropic', queued + count);
}

function baseUrl(call: ApiCall): string {
  return `http://${call.request.headers.host ?? '127.0.0.1'}`;
}

function readRequests(context: AnthropicContext, body: unknown): BatchRequestInput[] {
  if (!isSchemaNode(body)) throw badRequest('Request body must be a JSON object.');
  const requests = body.requests;
  if (!Array.isArray(requests)) throw badRequest('requests: Field required');
  if (requests.length === 0) throw badRequest('requests: List should have at least 1 item after validation, not 0');
  const max = context.limits.anthropicMaxRequests;
  if (requests.length > max) throw badRequest(`requests: List should have at most ${max} items after validation, not ${requests.length}`);
  const seen = new Set<string>();
  requests.forEach((request: unknown, index) => {
    if (!isSchemaNode(request)) throw badRequest(`requests.${index}: Input should be a valid dictionary`);
    const customId = request.custom_id;
    if (typeof customId !== 'string') throw badRequest(`requests.${index}.custom_id: Field required`);
    if (!CUSTOM_ID.test(customId)) {
      throw badRequest(`requests.${index}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`);
    }
    if (seen.has(customId)) throw badRequest(`requests.${index}.custom_id: Duplicate custom_id '${customId}'; custom_id values must be unique within a batch.`);
    seen.add(customId);
    if (request.params === undefined) throw badRequest(`requests.${index}.params: Field required`);
  });
  return requests as BatchRequestInput[];
}

async function currentView(context: AnthropicContext, call: ApiCall, record: AnthropicBatchRecord): Promise<Record<string, unknown>> {
  if (record.jobError !== null) {
    throw new EmulatorHttpError({ status: 500, type: 'api_error', message: `Emulator batch job failed: ${record.jobError}` });
  }
  const phase = anthropicBatchPhase(record, context.clock());
  if (phase.status === 'ended' && !record.final) await finishAnthropicBatch(context, record, phase);
  return renderAnthropicBatch(record, phase, baseUrl(call));
}

function findBatch(context: AnthropicContext, id: string): AnthropicBatchRecord {
  const record = context.anthropicBatches.get(id);
  if (!record) throw notFound(`message_batch ${id} not found`, 'anthropic');
  return record;
}

export async function createAnthropicBatch(context: AnthropicContext, call: ApiCall): Promise<void> {
  context.stats.createAttempts.anthropic++;
  const temp = context.store.tempPath();
  try {
    const size = await streamBodyToFile(call.request, temp, context.limits.anthropicMaxBodyBytes);
    if (size < 0) {
      throw new EmulatorHttpError({ status: 413, type: 'request_too_large', message: `Request exceeds the maximum size of ${context.limits.anthropicMaxBodyBytes} bytes.` });
    }
    const injected = takeCreateError(context);
    if (injected) throw injected;
    let body: unknown;
    try {
      body = JSON.parse(await readFile(temp, 'utf8'));
    } catch {
      throw badRequest('Request body is not valid JSON.');
    }
    const requests = readRequests(context, body);
    checkQueuedRequests(context, requests.length);
    const record: AnthropicBatchRecord = {
      id: newAnthropicBatchId(),
      sequence: context.nextSequence(),
      createdAtMs: context.clock(),
      ...batchFaultSnapshot(context.faults, call.request, call.url),
      requestCount: requests.length,
      run: null,
      cancelRequestedAtMs: null,
      final: null,
      jobError: null,
    };
    // In the map before the first await: a create arriving meanwhile counts this batch in the queue,
    // as the service's own count would.
    context.anthropicBatches.set(record.id, record);
    try {
      await rename(temp, anthropicPaths(context, record.id).requests);
    } catch (error) {
      context.anthropicBatches.delete(record.id);
      throw error;
    }
    await context.save('anthropic-batches', record);
    context.stats.batchesCreated.anthropic++;
    context.queue.push(() => runAnthropicBatchJob(context, record, requests));
    // The createReplyDelayMs fault: the batch exists before the client hears of it.
    if (record.faults.createReplyDelayMs > 0) await sleep(record.faults.createReplyDelayMs);
    sendJson(call.response, 200, renderAnthropicBatch(record, anthropicBatchPhase(record, record.createdAtMs), baseUrl(call)));
  } finally {
    await rm(temp, { force: true });
  }
}

export async function retrieveAnthropicBatch(context: AnthropicContext, call: ApiCall): Promise<void> {
  sendJson(call.response, 200, await currentView(context, call, findBatch(context, call.params[0] ?? '')));
}

export async function listAnthropicBatches(context: AnthropicContext, call: ApiCall): Promise<void> {
  const injected = takeListError(context);
  if (injected) throw injected;
  const records = [...context.anthropicBatches.values()].sort(
    (left, right) => right.createdAtMs - left.createdAtMs || right.sequence - left.sequence,
  );
  const page = pageAround(records, call.url.searchParams, { defaultLimit: 20, maxLimit: 1000 });
  const data: Record<string, unknown>[] = [];
  for (const record of page.items) data.push(await currentView(context, call, record));
  sendJson(call.response, 200, {
    data,
    has_more: page.hasMore,
    first_id: page.items[0]?.id ?? null,
    last_id: page.items.at(-1)?.id ?? null,
  });
}

/** Cancelling an ended batch is a 400 rather than a 409, which both SDKs would retry. */
export async function cancelAnthropicBatch(context: AnthropicContext, call: ApiCall): Promise<void> {
  const record = findBatch(context, call.params[0] ?? '');
  const now = context.clock();
  if (anthropicBatchPhase(record, now).status === 'ended') {
    throw badRequest(`message_batch ${record.id} has already ended and cannot be canceled.`);
  }
  if (record.cancelRequestedAtMs === null) {
    record.cancelRequestedAtMs = now;
    await context.save('anthropic-batches', record);
    context.stats.cancels++;
  }
  sendJson(call.response, 200, await currentView(context, call, record));
}

export async function deleteAnthropicBatch(context: AnthropicContext, call: ApiCall): Promise<void> {
  const record = findBatch(context, call.params[0] ?? '');
  if (anthropicBatchPhase(record, context.clock()).status !== 'ended') {
    throw badRequest(`message_batch ${record.id} is still processing; cancel it and wait until it has ended before deleting it.`);
  }
  await context.finishing.get(record.id);
  context.anthropicBatches.delete(record.id);
  const paths = anthropicPaths(context, record.id);
  for (const path of [paths.requests, paths.staged, paths.results]) await rm(path, { force: true });
  await context.store.remove('anthropic-batches', `${record.id}.json`);
  sendJson(call.response, 200, { id: record.id, type: 'message_batch_deleted' });
}

/** JSONL, one `\n`-terminated line per request, no blank lines, streamed. */
export async function anthropicBatchResults(context: AnthropicContext, call: ApiCall): Promise<void> {
  const record = findBatch(context, call.params[0] ?? '');
  const phase = anthropicBatchPhase(record, context.clock());
  if (phase.status !== 'ended') {
    throw notFound(`Results for message_batch ${record.id} are not available until processing has ended.`, 'anthropic');
  }
  await currentView(context, call, record);
  await sendFile(call.response, anthropicPaths(context, record.id).results, 'application/x-jsonl');
}

export function anthropicBatchDebug(context: AnthropicContext, id: string): BatchDebugView | null {
  const record = context.anthropicBatches.get(id);
  if (!record) return null;
  return {
    id,
    provider: 'anthropic',
    status: anthropicBatchPhase(record, context.clock()).status,
    batchFault: record.run?.batchFault ?? null,
    batchKey: record.run?.batchKey ?? null,
    faults: record.final?.faults ?? null,
  };
}

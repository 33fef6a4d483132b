/** OpenAI Batch routes: create, retrieve, list, cancel; and the control routes' view of an OpenAI batch. */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BatchDebugView } from '../core/control-routes.js';
import type { ApiCall } from '../core/emulator-context.js';
import { batchFaultSnapshot } from '../core/credential-faults.js';
import { takeCreateErrorStatus, takeListErrorStatus } from '../core/fault-decisions.js';
import { badRequest, EmulatorHttpError, notFound, readJsonBody, sendJson } from '../core/http-io.js';
import { pageAfter } from '../core/pagination.js';
import { isSchemaNode } from '../core/schema-data.js';
import { finishOpenAIBatch, runOpenAIBatchJob } from './openai-batch-job.js';
import { openAIBatchPhase, renderOpenAIBatch, type OpenAIBatchRecord } from './openai-batch-record.js';
import type { OpenAIContext } from './openai-context.js';

const ENDPOINTS = [
  '/v1/responses', '/v1/chat/completions', '/v1/embeddings', '/v1/completions', '/v1/moderations',
  '/v1/images/generations', '/v1/images/edits', '/v1/videos',
];
const EMULATED_ENDPOINTS = new Set(['/v1/chat/completions', '/v1/embeddings']);
const MAX_CREATE_BODY_BYTES = 1024 * 1024;
const METADATA_MAX_PAIRS = 16;
const METADATA_MAX_KEY = 64;
const METADATA_MAX_VALUE = 512;
const TERMINAL = new Set(['failed', 'completed', 'expired', 'cancelled']);

/** How the live API words the statuses the `createErrors` fault injects; others get a generic message. */
const CREATE_ERRORS: Readonly<Record<number, { type: string; code: string | null; message: string }>> = {
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for batch creation. Please try again shortly.' },
  500: { type: 'server_error', code: null, message: 'The server had an error while processing your request. Sorry about that!' },
  503: { type: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later.' },
};

const newOpenAIBatchId = (): string => `batch_${randomBytes(16).toString('hex')}`;

/** The error the next create call must fail with under the `createErrors` fault, or null. */
function takeCreateError(context: OpenAIContext): EmulatorHttpError | null {
  const status = takeCreateErrorStatus(context.faults, context.stats.faultsInjected);
  if (status === undefined) return null;
  const headers: Record<string, string> = status === 429 ? { 'retry-after-ms': '10' } : {};
  const known = CREATE_ERRORS[status] ?? { type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null, message: `Injected HTTP ${status}.` };
  return new EmulatorHttpError({ status, ...known, param: null, headers });
}

/** The error the next list call must fail with under the `listErrors` fault, or null. */
function takeListError(context: OpenAIContext): EmulatorHttpError | null {
  const status = takeListErrorStatus(context.faults, context.stats.faultsInjected);
  if (status === undefined) return null;
  const known = CREATE_ERRORS[status] ?? { type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null, message: `Injected HTTP ${status}.` };
  return new EmulatorHttpError({ status, ...known, param: null, headers: { 'retry-after-ms': '10' } });
}

function readMetadata(value: unknown): Record<string, string> | null {
  if (value === undefined || value === null) return null;
  if (!isSchemaNode(value)) throw badRequest("Invalid 'metadata': expected an object of string values.", 'metadata', 'invalid_type');
  const entries = Object.entries(value);
  if (entries.length > METADATA_MAX_PAIRS) {
    throw badRequest(`Invalid 'metadata': too many properties. Expected at most ${METADATA_MAX_PAIRS}, got ${entries.length}.`, 'metadata', 'object_above_max_properties');
  }
  for (const [key, item] of entries) {
    if (key.length > METADATA_MAX_KEY) {
      throw badRequest(`Invalid 'metadata': key '${key.slice(0, 20)}…' is longer than ${METADATA_MAX_KEY} characters.`, 'metadata', 'invalid_value');
    }
    if (typeof item !== 'string') throw badRequest(`Invalid 'metadata.${key}': expected a string.`, `metadata.${key}`, 'invalid_type');
    if (item.length > METADATA_MAX_VALUE) {
      throw badRequest(`Invalid 'metadata.${key}': string too long. Expected a string with maximum length ${METADATA_MAX_VALUE}, got ${item.length}.`, `metadata.${key}`, 'string_above_max_length');
    }
  }
  return value as Record<string, string>;
}

function readOutputExpiry(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (!isSchemaNode(value) || value.anchor !== 'created_at') {
    throw badRequest("Invalid 'output_expires_after.anchor': expected 'created_at'.", 'output_expires_after.anchor', 'invalid_value');
  }
  const seconds = value.seconds;
  if (!Number.isInteger(seconds) || (seconds as number) < 3600 || (seconds as number) > 2_592_000) {
    throw badRequest("Invalid 'output_expires_after.seconds': expected an integer between 3600 and 2592000.", 'output_expires_after.seconds', 'invalid_value');
  }
  return seconds as number;
}

function readCreateBody(context: OpenAIContext, body: unknown): Omit<OpenAIBatchRecord, 'id' | 'sequence' | 'createdAtMs' | 'faults' | 'scan' | 'run' | 'cancelRequestedAtMs' | 'final' | 'jobError'> {
  if (!isSchemaNode(body)) throw badRequest('The request body must be a JSON object.');
  const { input_file_id: inputFileId, endpoint, completion_window: completionWindow } = body;
  if (typeof inputFileId !== 'string') throw badRequest("Missing required parameter: 'input_file_id'.", 'input_file_id', 'missing_required_parameter');
  if (typeof endpoint !== 'string') throw badRequest("Missing required parameter: 'endpoint'.", 'endpoint', 'missing_required_parameter');
  if (!ENDPOINTS.includes(endpoint)) {
    throw badRequest(`Invalid value: '${endpoint}'. Supported values are: ${ENDPOINTS.map((item) => `'${item}'`).join(', ')}.`, 'endpoint', 'invalid_value');
  }
  if (!EMULATED_ENDPOINTS.has(endpoint)) {
    throw badRequest(`The emulator runs batches for /v1/chat/completions and /v1/embeddings only, not '${endpoint}'.`, 'endpoint', 'unsupported_by_emulator');
  }
  if (typeof completionWindow !== 'string') throw badRequest("Missing required parameter: 'completion_window'.", 'completion_window', 'missing_required_parameter');
  if (completionWindow !== '24h') {
    throw badRequest(`Invalid value: '${completionWindow}'. Supported values are: '24h'.`, 'completion_window', 'invalid_value');
  }
  const metadata = readMetadata(body.metadata);
  const outputExpiresAfterSeconds = readOutputExpiry(body.output_expires_after);
  const file = context.files.get(inputFileId);
  if (!file) throw notFound(`No such File object: ${inputFileId}`, 'openai');
  if (file.purpose !== 'batch') {
    throw badRequest(`The input file ${inputFileId} has purpose '${file.purpose}'; batch input files must be uploaded with purpose 'batch'.`, 'input_file_id', 'invalid_value');
  }
  return { endpoint, inputFileId, completionWindow, metadata, outputExpiresAfterSeconds };
}

/** The record's wire form now, writing its final files first when it has just ended. */
async function currentView(context: OpenAIContext, record: OpenAIBatchRecord): Promise<Record<string, unknown>> {
  if (record.jobError !== null) {
    throw new EmulatorHttpError({ status: 500, type: 'server_error', message: `Emulator batch job failed: ${record.jobError}` });
  }
  const phase = openAIBatchPhase(record, context.clock());
  if (phase.needsFiles && !record.final) await finishOpenAIBatch(context, record, phase);
  return renderOpenAIBatch(record, phase);
}

function findBatch(context: OpenAIContext, id: string): OpenAIBatchRecord {
  const record = context.openaiBatches.get(id);
  if (!record) throw notFound(`No batch found with id '${id}'.`, 'openai');
  return record;
}

export async function createOpenAIBatch(context: OpenAIContext, call: ApiCall): Promise<void> {
  context.stats.createAttempts.openai++;
  const body = await readJsonBody(call.request, MAX_CREATE_BODY_BYTES, () => badRequest('The request body is too large.'));
  const injected = takeCreateError(context);
  if (injected) throw injected;
  const fields = readCreateBody(context, body);
  const record: OpenAIBatchRecord = {
    id: newOpenAIBatchId(),
    sequence: context.nextSequence(),
    ...fields,
    createdAtMs: context.clock(),
    ...batchFaultSnapshot(context.faults, call.request, call.url),
    scan: null,
    run: null,
    cancelRequestedAtMs: null,
    final: null,
    jobError: null,
  };
  context.openaiBatches.set(record.id, record);
  await context.save('openai-batches', record);
  context.stats.batchesCreated.openai++;
  context.queue.push(() => runOpenAIBatchJob(context, record));
  // The createReplyDelayMs fault: the batch exists before the client hears of it.
  if (record.faults.createReplyDelayMs > 0) await sleep(record.faults.createReplyDelayMs);
  sendJson(call.response, 200, renderOpenAIBatch(record, openAIBatchPhase(record, record.createdAtMs)));
}

export async function retrieveOpenAIBatch(context: OpenAIContext, call: ApiCall): Promise<void> {
  sendJson(call.response, 200, await currentView(context, findBatch(context, call.params[0] ?? '')));
}

export async function listOpenAIBatches(context: OpenAIContext, call: ApiCall): Promise<void> {
  const injected = takeListError(context);
  if (injected) throw injected;
  const records = [...context.openaiBatches.values()].sort(
    (left, right) => right.createdAtMs - left.createdAtMs || right.sequence - left.sequence,
  );
  const page = pageAfter(records, call.url.searchParams, { defaultLimit: 20, maxLimit: 100 });
  const data: Record<string, unknown>[] = [];
  for (const record of page.items) data.push(await currentView(context, record));
  sendJson(call.response, 200, {
    object: 'list',
    data,
    first_id: page.items[0]?.id ?? null,
    last_id: page.items.at(-1)?.id ?? null,
    has_more: page.hasMore,
  });
}

/** Cancelling an ended batch is a 400, not a 409: both SDKs retry 409, which would send it three times. */
export async function cancelOpenAIBatch(context: OpenAIContext, call: ApiCall): Promise<void> {
  const record = findBatch(context, call.params[0] ?? '');
  const now = context.clock();
  const phase = openAIBatchPhase(record, now);
  if (TERMINAL.has(phase.status)) {
    throw badRequest(`Cannot cancel a batch with status '${phase.status}'.`, null, 'batch_not_cancellable');
  }
  if (record.cancelRequestedAtMs === null) {
    record.cancelRequestedAtMs = now;
    await context.save('openai-batches', record);
    context.stats.cancels++;
  }
  sendJson(call.response, 200, await currentView(context, record));
}

export function openAIBatchDebug(context: OpenAIContext, id: string): BatchDebugView | null {
  const record = context.openaiBatches.get(id);
  if (!record) return null;
  return {
    id,
    provider: 'openai',
    status: openAIBatchPhase(record, context.clock()).status,
    batchFault: record.scan?.batchFault ?? null,
    batchKey: record.scan?.batchKey ?? null,
    faults: record.final?.faults ?? null,
  };
}

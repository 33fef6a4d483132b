/**
 * Gemini batch routes as `@google/genai` calls them (paths under the API version, `v1beta`):
 *   POST   models/{model}:batchGenerateContent    create from `inputConfig.fileName` or inline
 *                                                 `inputConfig.requests.requests[{request, metadata}]`
 *   POST   models/{model}:asyncBatchEmbedContent  the same for EmbedContentRequests (the SDK writes
 *                                                 `file_name` in snake case here: both spellings are read)
 *   GET    batches, batches/{id}                  list (`pageSize`, `pageToken`, newest first), get
 *   POST   batches/{id}:cancel                    `{}`; 400 FAILED_PRECONDITION once the job has ended
 *   DELETE batches/{id}                           `{}`; only once ended (the emulator's choice)
 * Create checks the body now (20 MB inline limit, display name, exactly one input, the file exists);
 * each request is checked when it runs, and a bad one becomes an error line (INVALID_ARGUMENT). Also the
 * control routes' view of a job (geminiBatchDebug).
 */
import { createReadStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BatchDebugView } from '../core/control-routes.js';
import { batchFaultSnapshot } from '../core/credential-faults.js';
import type { ApiCall } from '../core/emulator-context.js';
import { readJsonBody, sendJson } from '../core/http-io.js';
import { pageByToken } from '../core/pagination.js';
import { isSchemaNode } from '../core/schema-data.js';
import { EXTRA_MODELS_HINT } from '../core/served-models.js';
import { finishGeminiBatch, geminiOutput, geminiPaths, runGeminiBatchJob } from './gemini-batch-job.js';
import { geminiBatchPhase, isTerminal, renderGeminiOperation, type GeminiBatchKind, type GeminiBatchRecord } from './gemini-batch-record.js';
import { geminiFileDataPath, newGeminiId, type GeminiContext } from './gemini-context.js';
import { notePeak, promptTokens } from '../core/queue-tokens.js';
import { googleError, invalidArgument, takeGeminiCreateError, takeGeminiListError } from './gemini-errors.js';
import { findGeminiFile } from './gemini-files.js';

const field = (node: Record<string, unknown>, camel: string, snake: string): unknown => node[camel] ?? node[snake];

interface CreateFields {
  displayName: string;
  inputFile: string | null;
  inline: unknown[] | null;
}

function readCreateBody(context: GeminiContext, body: unknown, kind: GeminiBatchKind): CreateFields {
  const method = kind === 'embed' ? 'AsyncBatchEmbedContentRequest' : 'BatchGenerateContentRequest';
  if (!isSchemaNode(body) || !isSchemaNode(body.batch)) throw invalidArgument(`* ${method}.batch: batch is required.`);
  const batch = body.batch;
  const displayName = field(batch, 'displayName', 'display_name');
  if (typeof displayName !== 'string' || displayName.trim() === '') throw invalidArgument(`* ${method}.batch.display_name: display_name is required.`);
  const inputConfig = field(batch, 'inputConfig', 'input_config');
  if (!isSchemaNode(inputConfig)) throw invalidArgument(`* ${method}.batch.input_config: input_config is required.`);
  const fileName = field(inputConfig, 'fileName', 'file_name');
  const requests = inputConfig.requests;
  if ((fileName === undefined) === (requests === undefined)) {
    throw invalidArgument(`* ${method}.batch.input_config: set exactly one of file_name and requests.`);
  }
  if (fileName !== undefined) {
    if (typeof fileName !== 'string' || !fileName.startsWith('files/')) throw invalidArgument(`* ${method}.batch.input_config.file_name: expected "files/<id>", got ${JSON.stringify(fileName)}.`);
    return { displayName, inputFile: findGeminiFile(context, fileName.slice('files/'.length)).id, inline: null };
  }
  const list = isSchemaNode(requests) ? requests.requests : undefined;
  if (!Array.isArray(list) || list.length === 0) throw invalidArgument(`* ${method}.batch.input_config.requests.requests: at least one request is required.`);
  list.forEach((item: unknown, index) => {
    if (!isSchemaNode(item) || !isSchemaNode(item.request)) throw invalidArgument(`* ${method}.batch.input_config.requests.requests[${index}].request: request is required.`);
    if (item.metadata !== undefined && !isSchemaNode(item.metadata)) throw invalidArgument(`* ${method}.batch.input_config.requests.requests[${index}].metadata: must be an object.`);
  });
  return { displayName, inputFile: null, inline: list };
}

/** A request's prompt tokens by the emulator's estimate: its contents and system instruction, or an embedding's content. */
function requestTokens(request: unknown): number {
  if (!isSchemaNode(request)) return 0;
  return request.content !== undefined ? promptTokens(undefined, request.content) : promptTokens(request.contents, request.systemInstruction ?? request.system_instruction);
}

/** The job's prompt tokens: its inline requests, or the lines (`{key, request}`) of its input file. */
async function jobTokens(context: GeminiContext, fields: CreateFields): Promise<number> {
  if (fields.inline) return fields.inline.reduce<number>((sum, item) => sum + requestTokens((item as { request?: unknown }).request), 0);
  let total = 0;
  const lines = createInterface({ input: createReadStream(geminiFileDataPath(context, fields.inputFile!), 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    try {
      total += requestTokens((JSON.parse(line) as { request?: unknown }).request);
    } catch {
      // An unreadable line fails the job when it runs; it holds no tokens.
    }
  }
  return total;
}

/**
 * The enqueued-token limit per model, as Gemini batch mode applies it at create: 429 RESOURCE_EXHAUSTED
 * when the job's tokens and those of the model's unfinished jobs pass it (nothing is created).
 */
function checkEnqueuedTokens(context: GeminiContext, model: string, tokens: number): void {
  const limit = context.limits.geminiMaxEnqueuedTokens;
  const now = context.clock();
  let queued = 0;
  for (const other of context.geminiBatches.values()) {
    if (other.model !== model || isTerminal(geminiBatchPhase(other, now).state)) continue;
    queued += other.enqueuedTokens ?? 0;
  }
  if (queued + tokens > limit) {
    context.stats.queue.refused.gemini++;
    throw googleError(429, 'RESOURCE_EXHAUSTED', `Enqueued tokens for ${model} would exceed the batch limit of ${limit} (${queued} queued, ${tokens} in this job). Please retry once some batch jobs have finished.`);
  }
  notePeak(context.stats.queue, `gemini/${model.replace(/^models\//, '')}`, queued + tokens);
}

/** A model the service does not have is a 404 at create, as the API answers any call naming it. */
function checkModel(context: GeminiContext, model: string, kind: GeminiBatchKind): void {
  if (!context.models.serves('gemini', model)) {
    const method = kind === 'embed' ? 'asyncBatchEmbedContent' : 'batchGenerateContent';
    throw googleError(404, 'NOT_FOUND', `models/${model} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.${EXTRA_MODELS_HINT}`);
  }
  const known = context.models.find('gemini', model)?.kind;
  const embedding = known === undefined ? model.includes('embedding') : known === 'embedding';
  if (kind === 'embed' && !embedding) throw invalidArgument(`models/${model} does not support asyncBatchEmbedContent; use an embedding model.`);
  if (kind === 'generate' && embedding) throw invalidArgument(`models/${model} does not support batchGenerateContent; it is an embedding model.`);
}

async function createBatch(context: GeminiContext, call: ApiCall, kind: GeminiBatchKind): Promise<void> {
  context.stats.createAttempts.gemini++;
  const limit = context.limits.geminiMaxInlineBytes;
  const body = await readJsonBody(call.request, limit, () => invalidArgument(`Request payload size exceeds the limit: ${limit} bytes.`));
  const injected = takeGeminiCreateError(context);
  if (injected) throw injected;
  const model = call.params[0] ?? '';
  checkModel(context, model, kind);
  const fields = readCreateBody(context, body, kind);
  const enqueuedTokens = context.limits.geminiMaxEnqueuedTokens > 0 ? await jobTokens(context, fields) : undefined;
  if (enqueuedTokens !== undefined) checkEnqueuedTokens(context, `models/${model}`, enqueuedTokens);
  const record: GeminiBatchRecord = {
    id: newGeminiId() + newGeminiId(),
    sequence: context.nextSequence(),
    kind,
    model: `models/${model}`,
    displayName: fields.displayName,
    inputFile: fields.inputFile,
    createdAtMs: context.clock(),
    ...batchFaultSnapshot(context.faults, call.request, call.url),
    scan: null,
    run: null,
    cancelRequestedAtMs: null,
    final: null,
    jobError: null,
    ...(enqueuedTokens !== undefined ? { enqueuedTokens } : {}),
  };
  // In the map before the first await: a create arriving meanwhile counts this job's tokens, as the
  // service's own count would.
  context.geminiBatches.set(record.id, record);
  try {
    if (fields.inline) await writeFile(geminiPaths(context, record.id).requests, JSON.stringify(fields.inline));
  } catch (error) {
    context.geminiBatches.delete(record.id);
    throw error;
  }
  await context.save('gemini-batches', record);
  context.stats.batchesCreated.gemini++;
  context.queue.push(() => runGeminiBatchJob(context, record));
  // The createReplyDelayMs fault: the batch exists before the client hears of it.
  if (record.faults.createReplyDelayMs > 0) await sleep(record.faults.createReplyDelayMs);
  sendJson(call.response, 200, renderGeminiOperation(record, geminiBatchPhase(record, record.createdAtMs), null, record.createdAtMs));
}

export const createGeminiGenerateBatch = (context: GeminiContext, call: ApiCall): Promise<void> => createBatch(context, call, 'generate');
export const createGeminiEmbedBatch = (context: GeminiContext, call: ApiCall): Promise<void> => createBatch(context, call, 'embed');

function findBatch(context: GeminiContext, id: string): GeminiBatchRecord {
  const record = context.geminiBatches.get(id);
  if (!record) throw googleError(404, 'NOT_FOUND', `Batch batches/${id} not found.`);
  return record;
}

/** The operation now, writing the job's output first when it has just ended. */
async function currentView(context: GeminiContext, record: GeminiBatchRecord): Promise<Record<string, unknown>> {
  if (record.jobError !== null) throw googleError(500, 'INTERNAL', `Emulator batch job failed: ${record.jobError}`);
  const now = context.clock();
  const phase = geminiBatchPhase(record, now);
  if (phase.needsOutput && !record.final) await finishGeminiBatch(context, record, phase);
  const output = phase.needsOutput ? await geminiOutput(context, record) : null;
  return renderGeminiOperation(record, phase, output, now);
}

export async function getGeminiBatch(context: GeminiContext, call: ApiCall): Promise<void> {
  sendJson(call.response, 200, await currentView(context, findBatch(context, call.params[0] ?? '')));
}

export async function listGeminiBatches(context: GeminiContext, call: ApiCall): Promise<void> {
  const injected = takeGeminiListError(context);
  if (injected) throw injected;
  const records = [...context.geminiBatches.values()].sort((left, right) => right.createdAtMs - left.createdAtMs || right.sequence - left.sequence);
  const page = pageByToken(records, call.url.searchParams, { defaultSize: 25, maxSize: 100 }, invalidArgument);
  const operations: Record<string, unknown>[] = [];
  for (const record of page.items) operations.push(await currentView(context, record));
  sendJson(call.response, 200, { operations, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) });
}

export async function cancelGeminiBatch(context: GeminiContext, call: ApiCall): Promise<void> {
  const record = findBatch(context, call.params[0] ?? '');
  const now = context.clock();
  const { state } = geminiBatchPhase(record, now);
  if (isTerminal(state)) throw googleError(400, 'FAILED_PRECONDITION', `Batch batches/${record.id} has already ended (${state}) and cannot be cancelled.`);
  if (record.cancelRequestedAtMs === null) {
    record.cancelRequestedAtMs = now;
    await context.save('gemini-batches', record);
    context.stats.cancels++;
  }
  sendJson(call.response, 200, {});
}

export async function deleteGeminiBatch(context: GeminiContext, call: ApiCall): Promise<void> {
  const record = findBatch(context, call.params[0] ?? '');
  if (!isTerminal(geminiBatchPhase(record, context.clock()).state)) {
    throw googleError(400, 'FAILED_PRECONDITION', `Batch batches/${record.id} is still running; cancel it and wait until it has ended before deleting it.`);
  }
  await currentView(context, record);
  context.geminiBatches.delete(record.id);
  const paths = geminiPaths(context, record.id);
  for (const path of [paths.requests, paths.staged, paths.inline]) await rm(path, { force: true });
  await context.store.remove('gemini-batches', `${record.id}.json`);
  sendJson(call.response, 200, {});
}

/** Gemini names a job `batches/<id>`; either form is accepted. */
export function geminiBatchDebug(context: GeminiContext, id: string): BatchDebugView | null {
  const record = context.geminiBatches.get(id.replace(/^batches\//, ''));
  if (!record) return null;
  return {
    id: record.id,
    provider: 'gemini',
    status: geminiBatchPhase(record, context.clock()).state,
    batchFault: record.scan?.batchFault ?? null,
    batchKey: record.scan?.batchKey ?? null,
    faults: record.final?.faults ?? null,
  };
}

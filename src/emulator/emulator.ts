/**
 * # The synthforge batch-API emulator
 *
 * A real HTTP server (node:http, loopback by default) that speaks the OpenAI Files + Batch API and the
 * Anthropic Message Batches API closely enough that the official SDKs run against it unchanged. It is the
 * offline default of `synthforge run --offline` and the test double of the provider adapters, so it follows
 * `specs/batch-apis.md` strictly and rejects what the real APIs reject: it must catch client mistakes.
 *
 * ## Routes
 * OpenAI (SDK `baseURL` = `openaiBaseURL`, i.e. `<url>/v1`; `Authorization: Bearer <any key>`):
 *   POST   /v1/files                  multipart upload (streamed to disk); purpose=batch needs a .jsonl name
 *   GET    /v1/files, /v1/files/{id}  list (`purpose`, `order`, `after`, `limit`), retrieve
 *   GET    /v1/files/{id}/content     raw bytes, streamed
 *   DELETE /v1/files/{id}
 *   POST   /v1/batches                create (endpoints /v1/chat/completions and /v1/embeddings are run)
 *   GET    /v1/batches, /v1/batches/{id}   list (`limit` ≤ 100, `after`, newest first), retrieve
 *   POST   /v1/batches/{id}/cancel    400 on an ended batch (never 409: the SDKs retry 409)
 *   POST   /v1/chat/completions       synchronous, for OpenAI-compatible servers (vLLM, Ollama)
 * Anthropic (SDK `baseURL` = `anthropicBaseURL`, the bare `<url>`; `x-api-key` or `Authorization: Bearer`,
 * any `anthropic-version`):
 *   POST   /v1/messages/batches                       create (custom_id, count and size checked now)
 *   GET    /v1/messages/batches, .../{id}             list (`limit`, `after_id`, `before_id`), retrieve
 *   POST   /v1/messages/batches/{id}/cancel
 *   DELETE /v1/messages/batches/{id}                  only once ended
 *   GET    /v1/messages/batches/{id}/results          JSONL (application/x-jsonl), absolute results_url
 *   POST   /v1/messages                               synchronous (dry-run a request shape)
 * Control (no auth), for a standalone emulator process:
 *   GET    /_emulator/stats           EmulatorStats as JSON
 *   POST   /_emulator/config          JSON body Partial<FaultOptions>; replies with the options now in force
 *   GET    /_emulator/batches/{id}    debug view of one batch: status, batch fault, faults injected
 *   GET    /_emulator/health          {"ok": true}
 *
 * ## Behaviour
 * Status lifecycles run on the clock (no timers): each read computes the status from the creation time, the
 * timing snapshot and whether the background work is done (see openai-batch-record.ts and
 * anthropic-batch-record.ts). Batch work runs one batch at a time in creation order. Answers are seeded by
 * (custom_id, body), so the same request always gets the same answer; results come back shuffled.
 *
 * ## Options (EmulatorOptions, emulator-options.ts; each maps to a `synthforge emulator` flag)
 *   port, host, dataDir (persistent state; default a temp dir removed on close), faults (FaultOptions:
 *   seed, malformedJsonRate, schemaInvalidRate, lineErrorRate, refusalRate, truncationRate,
 *   nearDuplicateRate, createErrors, expireRate, failValidationRate, syncErrorRate, timing), limits
 *   (EmulatorLimits: the real provider limits by default), clock (tests).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  anthropicBatchResults,
  cancelAnthropicBatch,
  createAnthropicBatch,
  deleteAnthropicBatch,
  listAnthropicBatches,
  retrieveAnthropicBatch,
} from './anthropic-batches.js';
import { anthropicBatchPhase, type AnthropicBatchRecord } from './anthropic-batch-record.js';
import { runAnthropicBatchJob } from './anthropic-batch-job.js';
import { DataStore } from './data-store.js';
import type { ApiCall, EmulatorContext, RouteHandler } from './emulator-context.js';
import {
  DEFAULT_FAULTS,
  mergeFaultOptions,
  mergeLimits,
  type EmulatorOptions,
  type FaultOptions,
} from './emulator-options.js';
import { emptyStats, type EmulatorStats, type FaultTally } from './emulator-stats.js';
import { EmulatorHttpError, readJsonBody, sendApiError, sendJson, badRequest, type ApiFlavor } from './http-io.js';
import { newRequestId } from './ids.js';
import { cancelOpenAIBatch, createOpenAIBatch, listOpenAIBatches, retrieveOpenAIBatch } from './openai-batches.js';
import { openAIBatchPhase, type OpenAIBatchRecord } from './openai-batch-record.js';
import { runOpenAIBatchJob } from './openai-batch-job.js';
import type { OpenAIFileRecord } from './openai-file-record.js';
import { deleteFile, fileContent, listFiles, retrieveFile, uploadFile } from './openai-files.js';
import { AnswerMemory } from './responder.js';
import { SeenIds } from './seen-ids.js';
import { SerialQueue } from './serial-queue.js';
import { syncAnthropicMessage, syncChatCompletion } from './sync-routes.js';
import { SynthforgeError } from '../errors.js';

export type { EmulatorOptions, EmulatorLimits, FaultOptions } from './emulator-options.js';
export type { EmulatorStats, FaultTally } from './emulator-stats.js';

export interface EmulatorServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `url + '/v1'`: what the openai SDK takes as baseURL. */
  openaiBaseURL: string;
  /** `url`: the anthropic SDK adds `/v1` itself. */
  anthropicBaseURL: string;
  port: number;
  stats(): EmulatorStats;
  /** Changes fault options from now on; batches keep the options they were created with. */
  configure(faults: Partial<FaultOptions>): void;
  /** Faults injected into one batch, known once it has ended (null before, or for an unknown id). */
  batchFaults(batchId: string): FaultTally | null;
  /** Resolves when all batch work queued so far is done (with a manual clock, tests then step time). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

type Method = 'GET' | 'POST' | 'DELETE';
interface Route {
  method: Method;
  pattern: RegExp;
  flavor: ApiFlavor;
  handler: RouteHandler;
}

const route = (method: Method, pattern: RegExp, flavor: ApiFlavor, handler: RouteHandler): Route => ({ method, pattern, flavor, handler });

const ROUTES: readonly Route[] = [
  route('POST', /^\/v1\/files$/, 'openai', uploadFile),
  route('GET', /^\/v1\/files$/, 'openai', listFiles),
  route('GET', /^\/v1\/files\/([^/]+)$/, 'openai', retrieveFile),
  route('DELETE', /^\/v1\/files\/([^/]+)$/, 'openai', deleteFile),
  route('GET', /^\/v1\/files\/([^/]+)\/content$/, 'openai', fileContent),
  route('POST', /^\/v1\/batches$/, 'openai', createOpenAIBatch),
  route('GET', /^\/v1\/batches$/, 'openai', listOpenAIBatches),
  route('GET', /^\/v1\/batches\/([^/]+)$/, 'openai', retrieveOpenAIBatch),
  route('POST', /^\/v1\/batches\/([^/]+)\/cancel$/, 'openai', cancelOpenAIBatch),
  route('POST', /^\/v1\/chat\/completions$/, 'openai', syncChatCompletion),
  route('POST', /^\/v1\/messages\/batches$/, 'anthropic', createAnthropicBatch),
  route('GET', /^\/v1\/messages\/batches$/, 'anthropic', listAnthropicBatches),
  route('GET', /^\/v1\/messages\/batches\/([^/]+)$/, 'anthropic', retrieveAnthropicBatch),
  route('DELETE', /^\/v1\/messages\/batches\/([^/]+)$/, 'anthropic', deleteAnthropicBatch),
  route('POST', /^\/v1\/messages\/batches\/([^/]+)\/cancel$/, 'anthropic', cancelAnthropicBatch),
  route('GET', /^\/v1\/messages\/batches\/([^/]+)\/results$/, 'anthropic', anthropicBatchResults),
  route('POST', /^\/v1\/messages$/, 'anthropic', syncAnthropicMessage),
];

/** A malformed %-escape in an id is an unknown id (404 from the handler), not a server error. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The missing-credentials error each API gives, or null when the call is authenticated. */
function authProblem(request: IncomingMessage, flavor: ApiFlavor): EmulatorHttpError | null {
  const bearer = /^Bearer \S+/.test(request.headers.authorization ?? '');
  if (flavor === 'openai') {
    return bearer ? null : new EmulatorHttpError({
      status: 401,
      type: 'invalid_request_error',
      message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    });
  }
  if (!bearer && !request.headers['x-api-key']) {
    return new EmulatorHttpError({ status: 401, type: 'authentication_error', message: 'x-api-key header is required' });
  }
  if (!request.headers['anthropic-version']) return badRequest('anthropic-version: header is required');
  return null;
}

function batchDebug(context: EmulatorContext, id: string): Record<string, unknown> | null {
  const openai = context.openaiBatches.get(id);
  if (openai) {
    return {
      id,
      provider: 'openai',
      status: openAIBatchPhase(openai, context.clock()).status,
      batchFault: openai.scan?.batchFault ?? null,
      faults: openai.final?.faults ?? null,
    };
  }
  const anthropic = context.anthropicBatches.get(id);
  if (anthropic) {
    return {
      id,
      provider: 'anthropic',
      status: anthropicBatchPhase(anthropic, context.clock()).status,
      batchFault: anthropic.run?.batchFault ?? null,
      faults: anthropic.final?.faults ?? null,
    };
  }
  return null;
}

async function handleControl(context: EmulatorContext, server: Pick<EmulatorServer, 'stats' | 'configure'>, request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
  if (request.method === 'GET' && path === '/_emulator/stats') return sendJson(response, 200, server.stats());
  if (request.method === 'GET' && path === '/_emulator/health') return sendJson(response, 200, { ok: true });
  if (request.method === 'POST' && path === '/_emulator/config') {
    try {
      const body = await readJsonBody(request, 1024 * 1024, () => badRequest('config body too large'));
      server.configure((body ?? {}) as Partial<FaultOptions>);
    } catch (error) {
      if (SynthforgeError.isInstance(error)) return sendJson(response, 400, { error: { code: error.code, message: error.message } });
      throw error;
    }
    return sendJson(response, 200, { faults: context.faults });
  }
  const debug = /^\/_emulator\/batches\/([^/]+)$/.exec(path);
  if (request.method === 'GET' && debug?.[1]) {
    const view = batchDebug(context, decodeURIComponent(debug[1]));
    return view ? sendJson(response, 200, view) : sendJson(response, 404, { error: { message: 'unknown batch' } });
  }
  sendJson(response, 404, { error: { message: `unknown control route ${request.method ?? ''} ${path}` } });
}

async function dispatch(context: EmulatorContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://emulator.local');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = request.method ?? 'GET';
  const flavor: ApiFlavor = path.startsWith('/v1/messages') ? 'anthropic' : 'openai';
  const requestId = newRequestId();
  response.setHeader(flavor === 'openai' ? 'x-request-id' : 'request-id', requestId);
  try {
    const matched = ROUTES.find((candidate) => candidate.method === method && candidate.pattern.test(path));
    if (!matched) {
      request.resume();
      throw new EmulatorHttpError({ status: 404, type: flavor === 'openai' ? 'invalid_request_error' : 'not_found_error', message: `Unknown request URL: ${method} ${path}.` });
    }
    const problem = authProblem(request, matched.flavor);
    if (problem) {
      request.resume();
      throw problem;
    }
    const params = (matched.pattern.exec(path) ?? []).slice(1).map(safeDecode);
    const call: ApiCall = { request, response, url, params, requestId };
    await matched.handler(context, call);
  } catch (error) {
    if (response.headersSent) {
      response.destroy(error instanceof Error ? error : undefined);
      return;
    }
    if (error instanceof EmulatorHttpError) {
      sendApiError(response, flavor, requestId, error.fields);
      return;
    }
    process.stderr.write(`synthforge emulator: ${method} ${path} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    sendApiError(response, flavor, requestId, {
      status: 500,
      type: flavor === 'openai' ? 'server_error' : 'api_error',
      message: `Emulator error: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}

interface LoadedState {
  files: Map<string, OpenAIFileRecord>;
  openaiBatches: Map<string, OpenAIBatchRecord>;
  anthropicBatches: Map<string, AnthropicBatchRecord>;
  seen: SeenIds;
  lastSequence: number;
  /** Batches whose answers were not written before the last stop, in creation order: their jobs run again. */
  unfinished: (OpenAIBatchRecord | AnthropicBatchRecord)[];
}

async function loadState(store: DataStore): Promise<LoadedState> {
  const files = await store.readRecords<OpenAIFileRecord>('files');
  const openai = await store.readRecords<OpenAIBatchRecord>('openai-batches');
  const anthropic = await store.readRecords<AnthropicBatchRecord>('anthropic-batches');
  const unfinished = [
    ...openai.filter((record) => !record.run && !record.jobError && !(record.scan && record.scan.errors.length > 0)),
    ...anthropic.filter((record) => !record.run && !record.jobError),
  ].sort((left, right) => left.sequence - right.sequence);
  return {
    files: new Map(files.map((record) => [record.id, record])),
    openaiBatches: new Map(openai.map((record) => [record.id, record])),
    anthropicBatches: new Map(anthropic.map((record) => [record.id, record])),
    seen: await SeenIds.load(store.seenLogPath, new Set(unfinished.map((record) => record.id))),
    lastSequence: Math.max(0, ...[...files, ...openai, ...anthropic].map((record) => record.sequence)),
    unfinished,
  };
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorServer> {
  const faults = mergeFaultOptions(DEFAULT_FAULTS, options.faults ?? {});
  const limits = mergeLimits(options.limits ?? {});
  const store = await DataStore.open(options.dataDir);
  const loaded = await loadState(store);
  let sequence = loaded.lastSequence;
  const context: EmulatorContext = {
    store,
    clock: options.clock ?? Date.now,
    limits,
    faults,
    stats: emptyStats(),
    seen: loaded.seen,
    memory: new AnswerMemory(),
    queue: new SerialQueue((error) => {
      process.stderr.write(`synthforge emulator: batch job failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    }),
    files: loaded.files,
    openaiBatches: loaded.openaiBatches,
    anthropicBatches: loaded.anthropicBatches,
    finishing: new Map(),
    syncAttempts: new Map(),
    nextSequence: () => ++sequence,
    save: (folder, record) => store.writeRecord(folder, record.id, record),
  };
  for (const record of loaded.unfinished) {
    context.queue.push(() =>
      'requestCount' in record ? runAnthropicBatchJob(context, record) : runOpenAIBatchJob(context, record),
    );
  }

  const stats = (): EmulatorStats => ({ ...structuredClone(context.stats), seenCustomIds: context.seen.distinctIds });
  const configure = (change: Partial<FaultOptions>): void => {
    context.faults = mergeFaultOptions(context.faults, change);
  };
  const httpServer = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const work = path.startsWith('/_emulator/')
      ? handleControl(context, { stats, configure }, request, response, path)
      : dispatch(context, request, response);
    work.catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: { message: String(error) } });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    openaiBaseURL: `${url}/v1`,
    anthropicBaseURL: url,
    port,
    stats,
    configure,
    batchFaults: (batchId) =>
      structuredClone(context.openaiBatches.get(batchId)?.final?.faults ?? context.anthropicBatches.get(batchId)?.final?.faults ?? null),
    idle: () => context.queue.idle(),
    close: async () => {
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
      await context.queue.idle();
      await Promise.all(context.finishing.values());
      await store.destroy();
    },
  };
}

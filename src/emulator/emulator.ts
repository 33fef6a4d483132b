/**
 * # The synthforge batch-API emulator
 *
 * A real HTTP server (node:http, loopback by default) that speaks the OpenAI Files + Batch API, the
 * Anthropic Message Batches API and Gemini API batch mode (with its Files API) closely enough that the
 * official SDKs run against it unchanged. It is the offline default of `synthforge run --offline` and the
 * test double of the provider adapters, so it follows the documented API behaviour strictly and rejects what
 * the real APIs reject: it must catch client mistakes.
 *
 * ## Layout
 *   core/       what every API shares: context, options, stats, data store, fault decisions, HTTP helpers,
 *               the route runner, pagination, staged results, and the seeded responder that writes answers
 *   openai/, anthropic/, gemini/   one folder per API: its router (routes, credentials, error body), route
 *               handlers, batch records and jobs, and request readers. Each adds its records to the core
 *               context (OpenAIContext, AnthropicContext, GeminiContext) and imports only core/.
 *   this file   the assembly: the one place that knows all three APIs. It builds the shared context, sends
 *               each request to its API's router (paths: `/_emulator/` control, `[/upload|/download]/v1beta`
 *               Gemini, `/v1/messages` and `/v1/models` with `anthropic-version` Anthropic, `/openai-compatible/v1`
 *               OpenAI standing in for a local server, everything else OpenAI) and restarts unfinished batch jobs.
 * Each router lists its routes; core/control-routes.ts lists the control routes.
 * Base URLs: the OpenAI SDK takes `openaiBaseURL` (`<url>/v1`); the Anthropic SDK and `@google/genai` take
 * the bare `<url>` and add the version themselves.
 *
 * ## Behaviour
 * Status lifecycles run on the clock (no timers): each read computes the status from the creation time, the
 * timing snapshot and whether the background work is done (see the batch-record file of each API). Batch work
 * runs one batch at a time in creation order. Answers are seeded by (custom_id, body), so the same request
 * always gets the same answer; OpenAI and Anthropic results come back shuffled, Gemini output keeps the input
 * order (as the SDK documents it).
 *
 * Content faults apply only where they can: malformed/schema-invalid JSON needs a structured answer, an
 * Anthropic tool input is an object so it is never malformed, a near-duplicate needs an earlier answer of the
 * same shape. A fault that could not apply is neither injected nor counted (see FaultTally).
 *
 * ## Choices where the live APIs do not document the behaviour
 *   - OpenAI lines skipped by a cancel get `batch_cancelled` error lines (the gateways' convention).
 *   - An expiring OpenAI batch goes in_progress → expired without finalizing; cancel is accepted while
 *     finalizing (all lines then count as run).
 *   - Cancelling an ended batch and deleting an unfinished Anthropic batch answer 400.
 *   - Validation codes other than the documented ones (see openai/openai-input-scan.ts); a blank line inside
 *     an input file is an invalid_json_line.
 *   - Batches for endpoints other than /v1/chat/completions and /v1/embeddings are refused at create with
 *     400 `unsupported_by_emulator`, and OpenAI's synchronous endpoints do not stream: emulator limits, not API.
 *   - A model is served when the model catalogue lists its name (or `extraModels` adds it); an unlisted
 *     dated snapshot is not. OpenAI checks a batch's model when validating it (the batch fails with
 *     `model_not_found`, line 1); Anthropic per request (`errored`, not_found_error); Gemini at create (404).
 *   - A wrong method on a known path is a 405 for OpenAI and Anthropic and a 404 NOT_FOUND for Gemini.
 *   - Gemini: lines of an expired or cancelled job that did not run are left out of its output; an unreadable
 *     input line or a repeated key fails the whole job (FAILED, INVALID_ARGUMENT); response-schema keywords
 *     outside the documented list are refused per line; cancelling or deleting follows the 400 rules above
 *     (FAILED_PRECONDITION); failed lines carry google.rpc.Status with gRPC codes (3, 13).
 *
 * ## Options (EmulatorOptions, core/emulator-options.ts; each maps to a `synthforge emulator` flag)
 *   port, host, dataDir (persistent state; default a temp dir removed on close), faults (FaultOptions:
 *   seed, malformedJsonRate, schemaInvalidRate, lineErrorRate, lineErrorStatus, refusalRate, truncationRate,
 *   nearDuplicateRate, createErrors, listErrors, authError, echoCredentials, createReplyDelayMs, expireRate,
 *   failValidationRate, syncErrorRate, repairSuccessRate (also SYNTHFORGE_EMULATOR_REPAIR_SUCCESS_RATE), timing), limits
 *   (EmulatorLimits: the real provider limits by default; the queue limits, off by default, also from
 *   SYNTHFORGE_EMULATOR_OPENAI_ENQUEUED_TOKENS, SYNTHFORGE_EMULATOR_ANTHROPIC_QUEUED_REQUESTS and
 *   SYNTHFORGE_EMULATOR_GEMINI_ENQUEUED_TOKENS), extraModels (models served besides the
 *   catalogue's; also SYNTHFORGE_EMULATOR_MODELS), answerLength (words per free-text answer and
 *   string field: mean and spread, seeded; or SYNTHFORGE_EMULATOR_ANSWER_WORDS), clock (tests).
 *
 * ## Queue limits
 * With a queue limit set, each API refuses work past it the way the live one does: OpenAI creates the
 * batch, then fails it at validation with `token_limit_exceeded` (enqueued input tokens per model);
 * Anthropic answers the create with 429 `rate_limit_error` (requests not yet processed, all models);
 * Gemini answers it with 429 RESOURCE_EXHAUSTED (enqueued tokens per model). A batch counts from its
 * acceptance until it ends. Tokens are the emulator's own estimate (core/queue-tokens.ts), not any
 * vendor's tokenizer: the real services count their own way too.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors.js';
import { anthropicBatchDebug } from './anthropic/anthropic-batches.js';
import { runAnthropicBatchJob } from './anthropic/anthropic-batch-job.js';
import type { AnthropicBatchRecord, AnthropicContext } from './anthropic/anthropic-batch-record.js';
import { dispatchAnthropicCall, isAnthropicCall } from './anthropic/anthropic-router.js';
import { handleControlCall } from './core/control-routes.js';
import { DataStore } from './core/data-store.js';
import { SerialQueue } from './core/emulator-context.js';
import { DEFAULT_FAULTS, mergeFaultOptions, mergeLimits, queueLimitsFromEnv, resolveAnswerLength, checkFirstChoiceRate, type EmulatorOptions, type FaultOptions } from './core/emulator-options.js';
import { emptyStats, type EmulatorStats, type FaultTally } from './core/emulator-stats.js';
import { repairRateFromEnv } from './core/repair-turns.js';
import { sendJson } from './core/http-io.js';
import { AnswerMemory } from './core/responder.js';
import { SeenIds } from './core/seen-ids.js';
import { extraModelsFrom, ServedModels } from './core/served-models.js';
import { geminiBatchDebug } from './gemini/gemini-batches.js';
import { runGeminiBatchJob } from './gemini/gemini-batch-job.js';
import type { GeminiBatchRecord } from './gemini/gemini-batch-record.js';
import type { GeminiContext, GeminiFileRecord } from './gemini/gemini-context.js';
import { dispatchGeminiCall, isGeminiPath } from './gemini/gemini-router.js';
import { openAIBatchDebug } from './openai/openai-batches.js';
import { runOpenAIBatchJob } from './openai/openai-batch-job.js';
import type { OpenAIBatchRecord } from './openai/openai-batch-record.js';
import type { OpenAIContext, OpenAIFileRecord } from './openai/openai-context.js';
import { dispatchOpenAICall } from './openai/openai-router.js';

export type { AnswerLength, EmulatorOptions, EmulatorLimits, FaultOptions } from './core/emulator-options.js';
export type { EmulatorStats, FaultTally } from './core/emulator-stats.js';

export interface EmulatorServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `url + '/v1'`: what the openai SDK takes as baseURL. */
  openaiBaseURL: string;
  /**
   * `url + '/openai-compatible/v1'`: the OpenAI routes standing in for a server the user runs
   * (vLLM, Ollama), where any model name is served, as such a server serves what it was started with.
   */
  openaiCompatibleBaseURL: string;
  /** `url`: the anthropic SDK adds `/v1` itself. */
  anthropicBaseURL: string;
  /** `url`: what `@google/genai` takes as `httpOptions.baseUrl` (it adds `/v1beta` itself). */
  geminiBaseURL: string;
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

interface LoadedState {
  files: Map<string, OpenAIFileRecord>;
  openaiBatches: Map<string, OpenAIBatchRecord>;
  anthropicBatches: Map<string, AnthropicBatchRecord>;
  geminiFiles: Map<string, GeminiFileRecord>;
  geminiBatches: Map<string, GeminiBatchRecord>;
  seen: SeenIds;
  lastSequence: number;
  /** Batches whose answers were not written before the last stop, in creation order: their jobs run again. */
  unfinished: (OpenAIBatchRecord | AnthropicBatchRecord | GeminiBatchRecord)[];
}

type AnyBatchRecord = LoadedState['unfinished'][number];

/** The context of one server: the core state plus the records of all three APIs. */
type ServerContext = OpenAIContext & AnthropicContext & GeminiContext;

function runBatchJob(context: ServerContext, record: AnyBatchRecord): Promise<void> {
  if ('requestCount' in record) return runAnthropicBatchJob(context, record);
  if ('inputFile' in record) return runGeminiBatchJob(context, record);
  return runOpenAIBatchJob(context, record);
}

async function loadState(store: DataStore): Promise<LoadedState> {
  const files = await store.readRecords<OpenAIFileRecord>('files');
  const openai = await store.readRecords<OpenAIBatchRecord>('openai-batches');
  const anthropic = await store.readRecords<AnthropicBatchRecord>('anthropic-batches');
  const geminiFiles = await store.readRecords<GeminiFileRecord>('gemini-files');
  const gemini = await store.readRecords<GeminiBatchRecord>('gemini-batches');
  const unfinished = [
    ...openai.filter((record) => !record.run && !record.jobError && !(record.scan && record.scan.errors.length > 0)),
    ...anthropic.filter((record) => !record.run && !record.jobError),
    ...gemini.filter((record) => !record.run && !record.final && !record.jobError && !(record.scan && record.scan.error !== null)),
  ].sort((left, right) => left.sequence - right.sequence);
  return {
    files: new Map(files.map((record) => [record.id, record])),
    openaiBatches: new Map(openai.map((record) => [record.id, record])),
    anthropicBatches: new Map(anthropic.map((record) => [record.id, record])),
    geminiFiles: new Map(geminiFiles.map((record) => [record.id, record])),
    geminiBatches: new Map(gemini.map((record) => [record.id, record])),
    seen: await SeenIds.load(store.seenLogPath, new Set(unfinished.map((record) => record.id))),
    lastSequence: [...files, ...openai, ...anthropic, ...geminiFiles, ...gemini].reduce((max, record) => Math.max(max, record.sequence), 0),
    unfinished,
  };
}

/** Where the emulator stands in for a server the user runs (vLLM, Ollama): any model name is served there. */
const LOCAL_SERVER_PREFIX = '/openai-compatible';

async function dispatchApiCall(context: ServerContext, anyModel: ServedModels, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://emulator.local');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (path.startsWith(`${LOCAL_SERVER_PREFIX}/`)) {
    return dispatchOpenAICall({ ...context, models: anyModel }, request, response, url, path.slice(LOCAL_SERVER_PREFIX.length));
  }
  if (isGeminiPath(path)) return dispatchGeminiCall(context, request, response, url, path);
  if (isAnthropicCall(path, request)) return dispatchAnthropicCall(context, request, response, url, path);
  return dispatchOpenAICall(context, request, response, url, path);
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorServer> {
  // The environment's repair rate is a default the options override (`--offline` runs read it too).
  const faults = mergeFaultOptions(mergeFaultOptions(DEFAULT_FAULTS, repairRateFromEnv(process.env)), options.faults ?? {});
  const limits = mergeLimits({ ...queueLimitsFromEnv(options.env ?? process.env), ...options.limits });
  const models = new ServedModels(extraModelsFrom(options.extraModels, process.env));
  const anyModel = new ServedModels(['openai/*']);
  const answerLength = resolveAnswerLength(options.answerLength);
  const store = await DataStore.open(options.dataDir);
  const loaded = await loadState(store);
  let sequence = loaded.lastSequence;
  const context: ServerContext = {
    store,
    clock: options.clock ?? Date.now,
    limits,
    faults,
    stats: emptyStats(),
    seen: loaded.seen,
    memory: new AnswerMemory(answerLength, checkFirstChoiceRate(options.firstChoiceRate)),
    models,
    queue: new SerialQueue((error) => {
      process.stderr.write(`synthforge emulator: batch job failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    }),
    files: loaded.files,
    openaiBatches: loaded.openaiBatches,
    anthropicBatches: loaded.anthropicBatches,
    geminiFiles: loaded.geminiFiles,
    geminiBatches: loaded.geminiBatches,
    geminiUploads: new Map(),
    finishing: new Map(),
    syncAttempts: new Map(),
    nextSequence: () => ++sequence,
    save: (folder, record) => store.writeRecord(folder, record.id, record),
  };
  const stats = (): EmulatorStats => ({ ...structuredClone(context.stats), seenCustomIds: context.seen.distinctCustomIds });
  const configure = (change: Partial<FaultOptions>): void => {
    context.faults = mergeFaultOptions(context.faults, change);
  };
  const batchDebug = (id: string) => openAIBatchDebug(context, id) ?? anthropicBatchDebug(context, id) ?? geminiBatchDebug(context, id);
  const httpServer = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const work = path.startsWith('/_emulator/')
      ? handleControlCall(context, { stats, configure, batchDebug }, request, response, path)
      : dispatchApiCall(context, anyModel, request, response);
    work.catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: { message: String(error) } });
      else response.destroy();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await store.destroy();
    throw new UsageError('emulator_listen_failed', `The emulator could not listen on ${options.host ?? '127.0.0.1'}:${options.port ?? 0}: ${(error as Error).message}`, { cause: error });
  }
  for (const record of loaded.unfinished) context.queue.push(() => runBatchJob(context, record));
  const { port } = httpServer.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    openaiBaseURL: `${url}/v1`,
    openaiCompatibleBaseURL: `${url}${LOCAL_SERVER_PREFIX}/v1`,
    anthropicBaseURL: url,
    geminiBaseURL: url,
    port,
    stats,
    configure,
    batchFaults: (batchId) =>
      structuredClone(
        context.openaiBatches.get(batchId)?.final?.faults ??
          context.anthropicBatches.get(batchId)?.final?.faults ??
          // Gemini names a job `batches/<id>`; either form is accepted.
          context.geminiBatches.get(batchId.replace(/^batches\//, ''))?.final?.faults ??
          null,
      ),
    idle: () => context.queue.idle(),
    // Idempotent: a second call waits for the first instead of closing a closed server again.
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          httpServer.close(() => resolve());
          httpServer.closeAllConnections();
        });
        await context.queue.idle();
        await Promise.all(context.finishing.values());
        await store.destroy();
      })()),
  };
}

/**
 * The background work of an OpenAI batch, run through the serial queue: scan (validate) the input file,
 * decide the batch fault, then answer every line into the staged file. And its ending: read the staged
 * lines in the seeded result order (never input order) and write the output file (one line per success)
 * and the error file (failures, plus `batch_expired` / `batch_cancelled` lines for requests that never
 * ran). A file with no lines is not created and its id stays null, as the live API does.
 */
import { createReadStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { EmulatorContext } from '../core/emulator-context.js';
import { emptyFaultTally } from '../core/emulator-stats.js';
import { decideBatchFault, decideLineFault, finishesBeforeExpiry, resultOrderKey, type BatchFault } from '../core/fault-decisions.js';
import { LineWriter } from '../core/line-writer.js';
import { decideRepairValid } from '../core/repair-turns.js';
import { hashHex } from '../core/seeded-random.js';
import { EXTRA_MODELS_HINT } from '../core/served-models.js';
import { countFault, finishBatchOnce, formatStagedLine, readStagedShuffled } from '../core/staged-results.js';
import { openAIBatchPhase, type BatchErrorEntry, type OpenAIBatchPhase, type OpenAIBatchRecord } from './openai-batch-record.js';
import { notePeak } from '../core/queue-tokens.js';
import { addFile, fileDataPath, newFileId, THIRTY_DAYS_SECONDS, type OpenAIContext } from './openai-context.js';
import { scanInputFile, type ScanEntry } from './openai-input-scan.js';
import { notRunLine, runOpenAILine } from './openai-line.js';

function openAIStagedPath(context: EmulatorContext, batchId: string): string {
  return context.store.path('openai-batches', `${batchId}.staged`);
}

function tokenLimitMessage(model: string | null, limit = 2_000_000): string {
  return `Enqueued token limit reached for ${model ?? 'this model'} in organization org-emulator. Limit: ${limit.toLocaleString('en-US')} enqueued tokens. Please try again once some in_progress batches have been completed.`;
}

const ENDED = new Set(['failed', 'completed', 'expired', 'cancelled']);

/** Tokens the model's queue holds now: batches of the model that passed validation and have not ended. */
function enqueuedTokens(context: OpenAIContext, model: string | null, except: string): number {
  const now = context.clock();
  let total = 0;
  for (const other of context.openaiBatches.values()) {
    if (other.id === except || !other.scan || other.scan.errors.length > 0 || other.scan.model !== model) continue;
    if (!ENDED.has(openAIBatchPhase(other, now).status)) total += other.scan.enqueuedTokens ?? 0;
  }
  return total;
}

/**
 * The enqueued-token limit, as OpenAI applies it: the batch exists, and fails validation when its
 * tokens and those of the model's unfinished batches pass the limit (nothing runs, nothing is billed).
 */
function checkEnqueuedTokens(context: OpenAIContext, record: OpenAIBatchRecord, model: string | null, tokens: number): BatchErrorEntry[] {
  const limit = context.limits.openaiMaxEnqueuedTokens;
  if (limit === 0) return [];
  const queued = enqueuedTokens(context, model, record.id) + tokens;
  if (queued > limit) {
    context.stats.queue.refused.openai++;
    return [{ code: 'token_limit_exceeded', message: tokenLimitMessage(model, limit), param: null, line: null }];
  }
  notePeak(context.stats.queue, `openai/${model ?? ''}`, queued);
  return [];
}

interface ScheduledLine {
  entry: ScanEntry;
  attempt: number;
}

/** Validates the input and records the outcome; returns the lines to run (none when the batch fails). */
async function scan(context: OpenAIContext, record: OpenAIBatchRecord): Promise<ScheduledLine[]> {
  const file = context.files.get(record.inputFileId);
  const result = file
    ? await scanInputFile(fileDataPath(context, file.id), file.bytes, record.endpoint, context.limits)
    : {
        entries: [],
        model: null,
        errors: [{ code: 'file_not_found', message: `The input file ${record.inputFileId} was deleted.`, param: 'input_file_id', line: null }],
        tokens: 0,
      };
  const ids = result.entries.map((entry) => entry.identity);
  const batchKey = hashHex('batch-key', ids.join('\u0000'));
  // A job re-run after a restart (its lines not all answered) was admitted to the queue already.
  let errors = result.errors.length > 0 || record.scan ? result.errors : checkEnqueuedTokens(context, record, result.model, result.tokens);
  // The model is checked when the batch is validated: the whole batch fails, nothing runs or is billed.
  const kind = record.endpoint === '/v1/embeddings' ? 'embedding' : 'chat';
  if (errors.length === 0 && result.model !== null && !context.models.serves('openai', result.model, kind)) {
    errors = [{ code: 'model_not_found', message: `The provided model '${result.model}' is not supported by the Batch API.${EXTRA_MODELS_HINT}`, param: 'body.model', line: 1 }];
  }
  let batchFault: BatchFault = 'none';
  let scheduled: ScheduledLine[] = [];
  if (errors.length === 0) {
    const attempts = await context.seen.assign(record.id, ids, batchKey, result.entries.map((entry) => entry.customId));
    batchFault = decideBatchFault(record.faults, 'openai', batchKey, attempts.batchKey);
    if (batchFault === 'fail_validation') {
      errors = [{ code: 'token_limit_exceeded', message: tokenLimitMessage(result.model), param: null, line: null }];
      context.stats.faultsInjected.failedValidationBatches++;
    } else {
      context.stats.requestsReceived.openai += ids.length;
      scheduled = result.entries.map((entry, index) => ({ entry, attempt: attempts.ids[index] ?? 0 }));
    }
  }
  // Set in one step, so no read sees a half-decided outcome. A job re-run after a restart keeps the
  // validation time the batch already showed.
  record.scan = {
    doneAtMs: record.scan?.doneAtMs ?? context.clock(),
    total: ids.length,
    model: result.model,
    errors,
    batchFault,
    batchKey,
    enqueuedTokens: result.tokens,
  };
  await context.save('openai-batches', record);
  return scheduled;
}

/**
 * Answers the lines in input order (one sequential read of the file) into the staged file. Results are put
 * in the seeded shuffled order when the batch ends (writeFinalFiles).
 */
async function answerLines(context: EmulatorContext, record: OpenAIBatchRecord, lines: ScheduledLine[]): Promise<void> {
  const writer = new LineWriter(openAIStagedPath(context, record.id));
  const input = createInterface({ input: createReadStream(fileDataPath(context, record.inputFileId), 'utf8'), crlfDelay: Infinity });
  let ok = 0;
  let failed = 0;
  let index = 0;
  try {
    for await (const text of input) {
      if (text.length === 0) continue;
      const scheduled = lines[index++];
      const line = JSON.parse(text) as { custom_id: string; body: unknown };
      if (!scheduled || scheduled.entry.customId !== line.custom_id) {
        throw new Error(`input file ${record.inputFileId} changed after validation (line ${index})`);
      }
      const staged = runOpenAILine({
        batchId: record.id,
        endpoint: record.endpoint,
        customId: line.custom_id,
        identity: scheduled.entry.identity,
        attempt: scheduled.attempt,
        body: line.body,
        fault: decideLineFault(record.faults, scheduled.entry.identity, scheduled.attempt),
        repairValid: decideRepairValid(record.faults, scheduled.entry.identity, scheduled.attempt),
        memory: context.memory,
        nowSeconds: Math.floor(context.clock() / 1000),
        lineError: { status: record.faults.lineErrorStatus ?? 500, credentials: record.credentials },
      });
      if (staged.ok) ok++;
      else failed++;
      await writer.write(formatStagedLine(staged));
    }
  } finally {
    input.close();
    await writer.close();
  }
  record.run = { doneAtMs: context.clock(), ok, failed };
  await context.save('openai-batches', record);
}

export async function runOpenAIBatchJob(context: OpenAIContext, record: OpenAIBatchRecord): Promise<void> {
  try {
    const lines = await scan(context, record);
    if (lines.length > 0) await answerLines(context, record, lines);
  } catch (error) {
    record.jobError = error instanceof Error ? error.message : String(error);
    await context.save('openai-batches', record);
    throw error;
  }
}

async function keepFile(
  context: OpenAIContext,
  record: OpenAIBatchRecord,
  writer: LineWriter,
  tempPath: string,
  kind: 'output' | 'error',
): Promise<string | null> {
  if (writer.lines === 0) {
    await rm(tempPath, { force: true });
    return null;
  }
  const id = newFileId();
  await rename(tempPath, fileDataPath(context, id));
  await addFile(context, {
    id,
    bytes: writer.bytes,
    filename: `batch_${record.id}_${kind}.jsonl`,
    purpose: 'batch_output',
    expiresAfterSeconds: record.outputExpiresAfterSeconds ?? THIRTY_DAYS_SECONDS,
  });
  return id;
}

async function writeFinalFiles(context: OpenAIContext, record: OpenAIBatchRecord, phase: OpenAIBatchPhase): Promise<void> {
  const faults = emptyFaultTally();
  const final = { outputFileId: null as string | null, errorFileId: null as string | null, total: 0, completed: 0, failed: 0, inputTokens: 0, outputTokens: 0, faults };
  if (phase.status === 'expired') faults.expiredBatches = 1;
  if (!record.scan || phase.inProgressAt === null || !record.run) {
    // Cancelled while validating: nothing ran and there is nothing to report per line.
    record.final = final;
    return;
  }
  const scan = record.scan;
  const ranCount = phase.status === 'cancelled' ? Math.floor(phase.progress * scan.total) : scan.total;
  const outputPath = context.store.tempPath();
  const errorPath = context.store.tempPath();
  const output = new LineWriter(outputPath);
  const errors = new LineWriter(errorPath);
  let index = 0;
  try {
    for await (const staged of readStagedShuffled(
      openAIStagedPath(context, record.id),
      (customId) => resultOrderKey(record.faults, customId),
      () => context.store.tempPath(),
    )) {
      const ran =
        phase.status === 'expired'
          ? finishesBeforeExpiry(record.faults, scan.batchKey, staged.customId)
          : index < ranCount;
      index++;
      final.total++;
      if (!ran) {
        const reason = phase.status === 'expired' ? 'expired' : 'cancelled';
        faults[reason === 'expired' ? 'expiredLines' : 'cancelledLines']++;
        final.failed++;
        await errors.write(notRunLine(record.id, staged.customId, reason));
        continue;
      }
      countFault(faults, staged.applied);
      if (staged.ok) {
        final.completed++;
        final.inputTokens += staged.inputTokens;
        final.outputTokens += staged.outputTokens;
        await output.write(staged.line);
      } else {
        final.failed++;
        await errors.write(staged.line);
      }
    }
  } finally {
    await output.close();
    await errors.close();
  }
  final.outputFileId = await keepFile(context, record, output, outputPath, 'output');
  final.errorFileId = await keepFile(context, record, errors, errorPath, 'error');
  record.final = final;
}

/** Writes the final files once, however many reads ask for them at the same time. */
export async function finishOpenAIBatch(context: OpenAIContext, record: OpenAIBatchRecord, phase: OpenAIBatchPhase): Promise<void> {
  await finishBatchOnce(context, record, { folder: 'openai-batches', stagedPath: openAIStagedPath(context, record.id), write: () => writeFinalFiles(context, record, phase) });
}

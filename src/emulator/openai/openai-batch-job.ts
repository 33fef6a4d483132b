/**
 * The background work of an OpenAI batch, run through the serial queue: scan (validate) the input file,
 * decide the batch fault, then answer every line into the staged file.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { EmulatorContext } from '../core/emulator-context.js';
import { decideBatchFault, decideLineFault, type BatchFault } from '../core/fault-decisions.js';
import { LineWriter } from '../core/line-writer.js';
import type { OpenAIBatchRecord } from './openai-batch-record.js';
import { fileDataPath } from './openai-context.js';
import { scanInputFile, type ScanEntry } from './openai-input-scan.js';
import { runOpenAILine } from './openai-line.js';
import { hashHex } from '../core/seeded-random.js';
import { formatStagedLine } from '../core/staged-results.js';

export function openAIStagedPath(context: EmulatorContext, batchId: string): string {
  return context.store.path('openai-batches', `${batchId}.staged`);
}

function tokenLimitMessage(model: string | null): string {
  return `Enqueued token limit reached for ${model ?? 'this model'} in organization org-emulator. Limit: 2,000,000 enqueued tokens. Please try again once some in_progress batches have been completed.`;
}

interface ScheduledLine {
  entry: ScanEntry;
  attempt: number;
}

/** Validates the input and records the outcome; returns the lines to run (none when the batch fails). */
async function scan(context: EmulatorContext, record: OpenAIBatchRecord): Promise<ScheduledLine[]> {
  const file = context.files.get(record.inputFileId);
  const result = file
    ? await scanInputFile(fileDataPath(context, file.id), file.bytes, record.endpoint, context.limits)
    : {
        entries: [],
        model: null,
        errors: [{ code: 'file_not_found', message: `The input file ${record.inputFileId} was deleted.`, param: 'input_file_id', line: null }],
      };
  const ids = result.entries.map((entry) => entry.customId);
  const batchKey = hashHex('batch-key', ids.join('\u0000'));
  let errors = result.errors;
  let batchFault: BatchFault = 'none';
  let scheduled: ScheduledLine[] = [];
  if (errors.length === 0) {
    const attempts = await context.seen.assign(record.id, ids, batchKey);
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
  };
  await context.save('openai-batches', record);
  return scheduled;
}

/**
 * Answers the lines in input order (one sequential read of the file) into the staged file. Results are put
 * in the seeded shuffled order when the batch ends (openai-batch-finish.ts).
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
        body: line.body,
        fault: decideLineFault(record.faults, line.custom_id, scheduled.attempt),
        memory: context.memory,
        nowSeconds: Math.floor(context.clock() / 1000),
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

export async function runOpenAIBatchJob(context: EmulatorContext, record: OpenAIBatchRecord): Promise<void> {
  try {
    const lines = await scan(context, record);
    if (lines.length > 0) await answerLines(context, record, lines);
  } catch (error) {
    record.jobError = error instanceof Error ? error.message : String(error);
    await context.save('openai-batches', record);
    throw error;
  }
}

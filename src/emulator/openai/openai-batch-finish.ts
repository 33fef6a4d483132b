/**
 * Ends an OpenAI batch: reads the staged lines in the seeded result order (never input order) and writes the
 * output file (one line per success) and the error file (failures, plus `batch_expired` / `batch_cancelled`
 * lines for requests that never ran).
 * A file with no lines is not created and its id stays null, as the live API does (spec A.4).
 */
import { rename, rm } from 'node:fs/promises';
import { finishBatchOnce } from '../core/finish-batch-once.js';
import type { EmulatorContext } from '../core/emulator-context.js';
import { emptyFaultTally } from '../core/emulator-stats.js';
import { finishesBeforeExpiry, resultOrderKey } from '../core/fault-decisions.js';
import { newFileId } from '../core/ids.js';
import { LineWriter } from '../core/line-writer.js';
import type { OpenAIBatchPhase, OpenAIBatchRecord } from './openai-batch-record.js';
import { openAIStagedPath } from './openai-batch-job.js';
import { addFile, fileDataPath, THIRTY_DAYS_SECONDS } from './openai-context.js';
import { notRunLine } from './openai-line.js';
import { readStagedShuffled } from '../core/shuffled-lines.js';
import { countFault } from '../core/staged-results.js';

async function keepFile(
  context: EmulatorContext,
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

async function writeFinalFiles(context: EmulatorContext, record: OpenAIBatchRecord, phase: OpenAIBatchPhase): Promise<void> {
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
export async function finishOpenAIBatch(context: EmulatorContext, record: OpenAIBatchRecord, phase: OpenAIBatchPhase): Promise<void> {
  await finishBatchOnce(context, record, { folder: 'openai-batches', stagedPath: openAIStagedPath(context, record.id), write: () => writeFinalFiles(context, record, phase) });
}

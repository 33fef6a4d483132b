/**
 * The background work of an Anthropic batch (answer every request into the staged file, in the seeded
 * result order) and its ending (write the results JSONL, marking requests that did not run `canceled` or
 * `expired`).
 */
import { readFile, rename } from 'node:fs/promises';
import type { EmulatorContext } from '../core/emulator-context.js';
import { emptyFaultTally } from '../core/emulator-stats.js';
import { decideBatchFault, decideLineFault, finishesBeforeExpiry, resultOrderKey } from '../core/fault-decisions.js';
import { decideRepairValid } from '../core/repair-turns.js';
import { LineIdentities } from '../core/line-identity.js';
import { LineWriter } from '../core/line-writer.js';
import { hashHex } from '../core/seeded-random.js';
import { countFault, finishBatchOnce, formatStagedLine, readStagedLines, shuffleByKey } from '../core/staged-results.js';
import type { AnthropicBatchPhase, AnthropicBatchRecord, AnthropicResultCounts } from './anthropic-batch-record.js';
import { runAnthropicRequest } from './anthropic-message.js';

export interface BatchRequestInput {
  custom_id: string;
  params: unknown;
}

export const anthropicPaths = (context: EmulatorContext, id: string) => ({
  requests: context.store.path('anthropic-batches', `${id}.requests.json`),
  staged: context.store.path('anthropic-batches', `${id}.staged`),
  results: context.store.path('anthropic-batches', `${id}.results.jsonl`),
});

function resultLine(customId: string, result: Record<string, unknown>): string {
  return JSON.stringify({ custom_id: customId, result });
}

/** `requests` is the parsed create body when the job runs right after create; after a restart it is re-read. */
export async function runAnthropicBatchJob(
  context: EmulatorContext,
  record: AnthropicBatchRecord,
  requests?: BatchRequestInput[],
): Promise<void> {
  try {
    const paths = anthropicPaths(context, record.id);
    const list = requests ?? (JSON.parse(await readFile(paths.requests, 'utf8')) as { requests: BatchRequestInput[] }).requests;
    const identities = new LineIdentities();
    const ids = list.map((request) => identities.next(JSON.stringify(request.params)));
    const batchKey = hashHex('batch-key', ids.join('\u0000'));
    const attempts = await context.seen.assign(record.id, ids, batchKey, list.map((request) => request.custom_id));
    const batchFault = decideBatchFault(record.faults, 'anthropic', batchKey, attempts.batchKey);
    context.stats.requestsReceived.anthropic += ids.length;
    const ordered = shuffleByKey(
      list.map((request, index) => ({ request, identity: ids[index]!, attempt: attempts.ids[index] ?? 0 })),
      ({ request }) => resultOrderKey(record.faults, request.custom_id),
    );
    const writer = new LineWriter(paths.staged);
    try {
      for (const { request, identity, attempt } of ordered) {
        const seedParts = [hashHex(identity, attempt)];
        const fault = decideLineFault(record.faults, identity, attempt);
        const lineError = { status: record.faults.lineErrorStatus ?? 500, credentials: record.credentials };
        const outcome = runAnthropicRequest(request.params, seedParts, fault, context, 'batch', lineError, decideRepairValid(record.faults, identity, attempt));
        const line = outcome.ok
          ? resultLine(request.custom_id, { type: 'succeeded', message: outcome.message })
          : resultLine(request.custom_id, {
              type: 'errored',
              error: { type: 'error', error: { type: outcome.errorType, message: outcome.message }, request_id: null },
            });
        await writer.write(
          formatStagedLine({
            ok: outcome.ok,
            applied: outcome.applied,
            inputTokens: outcome.ok ? outcome.inputTokens : 0,
            outputTokens: outcome.ok ? outcome.outputTokens : 0,
            customId: request.custom_id,
            line,
          }),
        );
      }
    } finally {
      await writer.close();
    }
    record.run = { doneAtMs: context.clock(), batchFault, batchKey };
    await context.save('anthropic-batches', record);
  } catch (error) {
    record.jobError = error instanceof Error ? error.message : String(error);
    await context.save('anthropic-batches', record);
    throw error;
  }
}

async function writeResults(context: EmulatorContext, record: AnthropicBatchRecord, phase: AnthropicBatchPhase): Promise<void> {
  const run = record.run;
  if (!run) throw new Error(`batch ${record.id} ended before its requests were answered`);
  const paths = anthropicPaths(context, record.id);
  const counts: AnthropicResultCounts = { succeeded: 0, errored: 0, canceled: 0, expired: 0 };
  const faults = emptyFaultTally();
  const canceled = record.cancelRequestedAtMs !== null;
  const expiring = !canceled && run.batchFault === 'expire';
  if (expiring) faults.expiredBatches = 1;
  const ranCount = canceled ? Math.floor(phase.progress * record.requestCount) : record.requestCount;
  const temp = context.store.tempPath();
  const writer = new LineWriter(temp);
  let index = 0;
  try {
    for await (const staged of readStagedLines(paths.staged)) {
      const ran = expiring ? finishesBeforeExpiry(record.faults, run.batchKey, staged.customId) : index < ranCount;
      index++;
      if (!ran) {
        counts[expiring ? 'expired' : 'canceled']++;
        faults[expiring ? 'expiredLines' : 'cancelledLines']++;
        await writer.write(resultLine(staged.customId, { type: expiring ? 'expired' : 'canceled' }));
        continue;
      }
      countFault(faults, staged.applied);
      counts[staged.ok ? 'succeeded' : 'errored']++;
      await writer.write(staged.line);
    }
  } finally {
    await writer.close();
  }
  await rename(temp, paths.results);
  record.final = { counts, faults };
}

/** Writes the results once, however many reads ask at the same time. */
export async function finishAnthropicBatch(context: EmulatorContext, record: AnthropicBatchRecord, phase: AnthropicBatchPhase): Promise<void> {
  await finishBatchOnce(context, record, { folder: 'anthropic-batches', stagedPath: anthropicPaths(context, record.id).staged, write: () => writeResults(context, record, phase) });
}

/**
 * The last pass of a generate step: read the step's input again, in order, and turn each
 * (record, sample index) with a valid answer into an output record (`{...record, ...output}`),
 * counting every invalid sample by reason. Output order is input order, so the dataset is
 * deterministic however the provider ordered its results.
 *
 * A sample's answer is this run's last judgment of its request when that was invalid (from the
 * shards' outcome bytes and invalid files), otherwise the response cache's valid answer, read from
 * the answers file the cache points at (this run's, or an earlier run's when it was cached).
 */
import type { DataRecord } from '../domain.js';
import { readFileLines } from '../dataset/read-file-lines.js';
import type { RunStore } from '../store/run-store.js';
import { FINAL_OUTCOME_BIT, RESPONSE_OUTCOMES, type ResponseOutcome } from '../store/store-schema.js';
import type { CompiledBatchStep } from './compile-recipe.js';
import { readRecords, openRequestKeys, requestKeysPath } from './stage-files.js';
import { plannedKeysOf, sampleRecordId } from './render-requests.js';
import { countInvalid, countRejected, type StepCounts } from './run-report.js';
import { CachedAnswers } from './cached-answers.js';
import { keyAt, readShardKeys, shardInvalidPath } from './shard-files.js';

interface InvalidAnswer {
  outcome: Exclude<ResponseOutcome, 'valid'>;
  reason?: string;
}

export async function* emitSamples(
  context: { runId: string; store: RunStore },
  step: CompiledBatchStep,
  inputPath: string,
  counts: StepCounts,
): AsyncIterable<DataRecord> {
  const { store } = context;
  const invalid = await invalidAnswersOfRun(store, context.runId, step.step.index);
  const answers = new CachedAnswers(store);
  const nextKeys = openRequestKeys(requestKeysPath(inputPath, step.step.index));
  try {
    for await (const record of readRecords(inputPath)) {
      counts.input++;
      const keys = (await nextKeys?.()) ?? plannedKeysOf(step, record);
      // Rejected while planning (its rejects-file line was written then): counted, never emitted.
      if (!Array.isArray(keys)) {
        countRejected(counts, keys.rejected);
        continue;
      }
      for (const [sampleIndex, key] of keys.entries()) {
        counts.requested = (counts.requested ?? 0) + 1;
        const failed = invalid.get(key.slice(0, 32));
        if (failed) {
          countInvalid(counts, failed.outcome, failed.reason ? `${record.id}: ${failed.reason}` : record.id);
          continue;
        }
        const found = answers.find(key);
        const value = found && answers.value(found);
        if (!value) {
          countInvalid(counts, 'missing', record.id);
          continue;
        }
        const { answer: cached, shard } = found;
        const fromCache = shard.runId !== context.runId;
        if (fromCache) counts.cached = (counts.cached ?? 0) + 1;
        counts.succeeded = (counts.succeeded ?? 0) + 1;
        if (cached.attempt > 1) counts.retried = (counts.retried ?? 0) + 1;
        else counts.firstTry = (counts.firstTry ?? 0) + 1;
        counts.output++;
        yield {
          id: sampleRecordId(record.id, sampleIndex, step.step.n),
          seedId: record.seedId,
          ...(record.source ? { source: record.source } : {}),
          fields: { ...record.fields, ...value },
          lineage: [
            ...record.lineage,
            {
              step: step.step.name,
              requestKey: key,
              provider: step.step.modelRef.provider,
              model: step.step.modelRef.model,
              ...(shard.batchId ? { batchId: shard.batchId } : {}),
              ...(fromCache ? { cached: true } : {}),
              attempt: cached.attempt,
            },
          ],
        };
      }
    }
  } finally {
    answers.close();
  }
}

/**
 * Requests of this run's step whose last answer was not valid, by cache key (32 hex digits), with
 * the reason from the shard's invalid file. Shards are read in the order they were recorded, so a
 * later round's answer replaces an earlier one's. Only failures are held in memory.
 */
async function invalidAnswersOfRun(store: RunStore, runId: string, stepIndex: number): Promise<Map<string, InvalidAnswer>> {
  const invalid = new Map<string, InvalidAnswer>();
  for (const shard of store.shardsOfStep(runId, stepIndex)) {
    const outcomes = store.shardOutcomes(shard.id);
    if (!outcomes) continue;
    const keys = readShardKeys(shard.inputPath);
    const failedLines = new Set<number>();
    outcomes.forEach((byte, line) => {
      if (RESPONSE_OUTCOMES[byte & ~FINAL_OUTCOME_BIT] === 'valid') invalid.delete(keyAt(keys, line));
      else failedLines.add(line);
    });
    if (failedLines.size === 0) continue;
    for await (const text of readFileLines(shardInvalidPath(shard.inputPath))) {
      if (text === '') continue;
      const entry = JSON.parse(text) as { line: number } & InvalidAnswer;
      if (!failedLines.has(entry.line)) continue;
      invalid.set(keyAt(keys, entry.line), { outcome: entry.outcome, ...(entry.reason ? { reason: entry.reason } : {}) });
    }
  }
  return invalid;
}

/**
 * The last pass of a generate step: read the step's input again, in order, and turn each
 * (record, sample index) with a valid response into an output record (`{...record, ...output}`),
 * counting every invalid sample by reason. Output order is input order, so the dataset is
 * deterministic however the provider ordered its results.
 */
import type { DataRecord } from '../domain.js';
import type { RunStore } from '../store/run-store.js';
import type { CompiledBatchStep } from './compile-recipe.js';
import { readRecords, openRequestKeys, requestKeysPath } from './stage-files.js';
import { plannedKeysOf, sampleRecordId } from './render-requests.js';
import { countInvalid, countRejected, type StepCounts } from './run-report.js';

export async function* emitSamples(
  context: { runId: string; store: RunStore },
  step: CompiledBatchStep,
  inputPath: string,
  counts: StepCounts,
): AsyncIterable<DataRecord> {
  const { store } = context;
  const batchesOfRun = new Set(store.shardsOfStep(context.runId, step.step.index).flatMap((shard) => (shard.batchId ? [shard.batchId] : [])));
  const nextKeys = openRequestKeys(requestKeysPath(inputPath, step.step.index));
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
      const response = store.responses.get(key);
      const cached = !response?.batchId || !batchesOfRun.has(response.batchId);
      if (response && cached) counts.cached = (counts.cached ?? 0) + 1;
      if (!response || response.outcome !== 'valid') {
        const outcome = response?.outcome ?? 'missing';
        countInvalid(counts, outcome === 'valid' ? 'missing' : outcome, response?.reason ? `${record.id}: ${response.reason}` : record.id);
        continue;
      }
      counts.succeeded = (counts.succeeded ?? 0) + 1;
      if (response.attempts > 1) counts.retried = (counts.retried ?? 0) + 1;
      else counts.firstTry = (counts.firstTry ?? 0) + 1;
      counts.output++;
      yield {
        id: sampleRecordId(record.id, sampleIndex, step.step.n),
        seedId: record.seedId,
        ...(record.source ? { source: record.source } : {}),
        fields: { ...record.fields, ...(response.value as Record<string, unknown>) },
        lineage: [
          ...record.lineage,
          {
            step: step.step.name,
            requestKey: key,
            provider: step.step.modelRef.provider,
            model: step.step.modelRef.model,
            ...(response.batchId ? { batchId: response.batchId } : {}),
            ...(cached ? { cached: true } : {}),
            attempt: response.attempts,
          },
        ],
      };
    }
  }
}

/**
 * The last pass of a generate step: read the step's input again, in order, and turn each
 * (record, sample index) with a valid answer into an output record (`{...record, ...output}`),
 * counting every invalid sample by reason. Output order is input order, so the dataset is
 * deterministic however the provider ordered its results.
 *
 * A sample's answer is this run's last judgment of its request when that was invalid (from the
 * shards' outcome bytes and invalid files), otherwise the response cache's valid answer, read from
 * the answers file the cache points at (this run's, or an earlier run's when it was cached); this
 * run's own answers are found by position (run-answers.ts), the others by a cache lookup.
 */
import type { DataRecord, LineageEntry } from '../domain.js';
import type { RunStore } from '../store/run-store.js';
import type { CompiledBatchStep } from './compile-recipe.js';
import { readRecords, openRequestKeys, requestKeysPath, type PlannedKeys } from './stage-files.js';
import { plannedKeysOf, sampleRecordId } from './render-requests.js';
import { countInvalid, countRejected, type StepCounts } from './run-report.js';
import { CachedAnswers } from './cached-answers.js';
import { RepairTally } from './repair-tally.js';
import { topLevelKeys } from './top-level-keys.js';
import { RunAnswers } from './run-answers.js';

/**
 * Lines per string `emitSampleChunks` yields: about 100 KiB of samples, below the size V8 puts in its
 * large-object space (a whole batch's 450 KiB strings there cost 20 MiB of peak RSS).
 */
const CHUNK_LINES = 64;

/** Records read ahead, so their answers are looked up in one SQLite call per batch. */
const BATCH_RECORDS = 256;

type EmitContext = { runId: string; store: RunStore };

/**
 * The step's output records, each as its stage-file line (JSON text, no newline): what
 * `writeRecords` writes as is.
 */
export async function* emitSamples(context: EmitContext, step: CompiledBatchStep, inputPath: string, counts: StepCounts): AsyncIterable<string> {
  for await (const lines of emitLineBatches(context, step, inputPath, counts)) yield* lines;
}

/**
 * The same lines, those of each batch of records joined by newlines into one string: `writeRecords`
 * writes each with its newline, so the stage file has the same bytes, in one stream write and one
 * step of iteration per CHUNK_LINES samples instead of per sample.
 */
export async function* emitSampleChunks(context: EmitContext, step: CompiledBatchStep, inputPath: string, counts: StepCounts): AsyncIterable<string> {
  for await (const lines of emitLineBatches(context, step, inputPath, counts)) {
    for (let start = 0; start < lines.length; start += CHUNK_LINES) yield lines.slice(start, start + CHUNK_LINES).join('\n');
  }
}

async function* emitLineBatches(context: EmitContext, step: CompiledBatchStep, inputPath: string, counts: StepCounts): AsyncIterable<string[]> {
  const { store } = context;
  const own = await RunAnswers.of(store, context.runId, step.step.index);
  const { invalid } = own;
  const answers = new CachedAnswers(store, { wholeFilesOf: context.runId });
  const nextKeys = openRequestKeys(requestKeysPath(inputPath, step.step.index));
  const repairs = RepairTally.ofRun(store, context.runId, step); // repair hook: valid first try / after repair / after retry
  const batch: { record: DataRecord; keys: PlannedKeys }[] = [];
  try {
    for await (const record of readRecords(inputPath)) {
      batch.push({ record, keys: (await nextKeys?.()) ?? plannedKeysOf(step, record) });
      if (batch.length < BATCH_RECORDS) continue;
      yield [...emitBatch(batch.splice(0))];
    }
    yield [...emitBatch(batch.splice(0))];
    repairs?.writeTo(counts);
  } finally {
    answers.close();
  }

  function* emitBatch(records: readonly { record: DataRecord; keys: PlannedKeys }[]): Iterable<string> {
    // Only what this run's shards cannot answer by position is asked of the cache.
    answers.prefetch(records.flatMap(({ keys }) => (Array.isArray(keys) ? keys.filter((key) => !invalid.has(key.slice(0, 32)) && !own.ownsAnswer(key.slice(0, 32))) : [])));
    for (const { record, keys } of records) {
      counts.input++;
      // Rejected while planning (its rejects-file line was written then): counted, never emitted.
      if (!Array.isArray(keys)) {
        countRejected(counts, keys.rejected);
        continue;
      }
      for (const [sampleIndex, key] of keys.entries()) {
        counts.requested = (counts.requested ?? 0) + 1;
        const cacheKey = key.slice(0, 32);
        const failed = invalid.get(cacheKey);
        if (failed) {
          countInvalid(counts, failed.outcome, failed.reason ? `${record.id}: ${failed.reason}` : record.id);
          continue;
        }
        const found = own.ownAnswer(cacheKey) ?? answers.find(key);
        const answerText = found && answers.valueText(found);
        if (answerText === undefined) {
          countInvalid(counts, 'missing', record.id);
          continue;
        }
        const { answer: cached, shard } = found!;
        const fromCache = shard.runId !== context.runId;
        if (fromCache) counts.cached = (counts.cached ?? 0) + 1;
        counts.succeeded = (counts.succeeded ?? 0) + 1;
        if (cached.attempt > 1) counts.retried = (counts.retried ?? 0) + 1;
        else counts.firstTry = (counts.firstTry ?? 0) + 1;
        repairs?.valid(key, cached.attempt);
        counts.output++;
        const entry: LineageEntry = {
          step: step.step.name,
          requestKey: key,
          provider: step.step.modelRef.provider,
          model: step.step.modelRef.model,
          ...(shard.batchId ? { batchId: shard.batchId } : {}),
          ...(fromCache ? { cached: true } : {}),
          attempt: cached.attempt,
        };
        yield sampleLine(record, sampleRecordId(record.id, sampleIndex, step.step.n), answerText, entry);
      }
    }
  }
}

/** A key V8 lists before all others in an object, whatever order it was added in. */
const INDEX_LIKE = /^\d+$/;

/**
 * `JSON.stringify` of the output record `{ id, seedId, source?, fields: { ...record.fields, ...answer },
 * lineage: [...record.lineage, entry] }`, with the answer's JSON text (as collecting wrote it, with
 * `JSON.stringify`) spliced in instead of serialised again: the answer is most of a record's bytes.
 * Splicing gives the same text only when the answer's keys are new to the record and none is
 * integer-like (those would move to the front of the merged object); otherwise the object is built
 * and serialised as such.
 */
export function sampleLine(record: DataRecord, id: string, answerText: string, entry: LineageEntry): string {
  const lineage = [...record.lineage, entry];
  // Only the answer's keys decide, and they can be read off its text without parsing its values.
  const answerKeys = topLevelKeys(answerText) ?? Object.keys(JSON.parse(answerText) as object);
  if (answerKeys.some((key) => Object.hasOwn(record.fields, key) || INDEX_LIKE.test(key))) {
    const answer = JSON.parse(answerText) as Record<string, unknown>;
    return JSON.stringify({ id, seedId: record.seedId, ...(record.source ? { source: record.source } : {}), fields: { ...record.fields, ...answer }, lineage });
  }
  const recordFields = JSON.stringify(record.fields);
  const fields = answerKeys.length === 0 ? recordFields : recordFields === '{}' ? answerText : `${recordFields.slice(0, -1)},${answerText.slice(1)}`;
  const seedId = record.seedId === undefined ? '' : `,"seedId":${JSON.stringify(record.seedId)}`;
  const source = record.source ? `,"source":${JSON.stringify(record.source)}` : '';
  return `{"id":${JSON.stringify(id)}${seedId}${source},"fields":${fields},"lineage":${JSON.stringify(lineage)}}`;
}


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
import type { RunStore, ShardRow } from '../store/run-store.js';
import { CACHE_KEY_BYTES } from '../store/response-cache.js';
import { readFileLines } from '../dataset/read-file-lines.js';
import type { CompiledBatchStep } from './compile-recipe.js';
import { openRequestKeys, requestKeysPath, type PlannedKeys } from './stage-files.js';
import { plannedKeysOf, sampleRecordId } from './render-requests.js';
import { countInvalid, countRejected, type StepCounts } from './run-report.js';
import { CachedAnswers } from './cached-answers.js';
import { RepairTally } from './repair-tally.js';
import { topLevelKeys } from './top-level-keys.js';
import { recordText, type RecordText } from './record-text.js';
import { RunAnswers } from './run-answers.js';
import { LineageEntries } from './lineage-entries.js';

/**
 * Lines per string `emitSampleChunks` yields: about 100 KiB of samples, below the size V8 puts in its
 * large-object space (a whole batch's 450 KiB strings there cost 20 MiB of peak RSS).
 */
const CHUNK_LINES = 64;

/** Records read ahead, so their answers are looked up in one SQLite call per batch. */
const BATCH_RECORDS = 256;

const CACHE_KEY_HEX = CACHE_KEY_BYTES * 2;

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

/** A record of the input: its line, its members' texts where emitting can splice them, and the record once parsed. */
interface InputRecord {
  line: string;
  text: RecordText | undefined;
  parsed?: DataRecord;
}

/** A sample's valid answer: its JSON text, the shard that answered, and on which attempt. */
interface SampleAnswer {
  text: string;
  shard: ShardRow;
  attempt: number;
}

async function* emitLineBatches(context: EmitContext, step: CompiledBatchStep, inputPath: string, counts: StepCounts): AsyncIterable<string[]> {
  const { store } = context;
  const own = await RunAnswers.of(store, context.runId, step.step.index);
  const { invalid } = own;
  const answers = new CachedAnswers(store, { wholeFilesOf: context.runId });
  const nextKeys = openRequestKeys(requestKeysPath(inputPath, step.step.index));
  const repairs = RepairTally.ofRun(store, context.runId, step); // repair hook: valid first try / after repair / after retry
  const entries = new LineageEntries({ step: step.step.name, provider: step.step.modelRef.provider, model: step.step.modelRef.model });
  const batch: { input: InputRecord; keys: PlannedKeys }[] = [];
  try {
    for await (const line of readFileLines(inputPath)) {
      if (line === '') continue;
      const text = recordText(line);
      // A line the text reader cannot serve is parsed here, so a malformed one fails where it always did.
      const input: InputRecord = text ? { line, text } : { line, text, parsed: JSON.parse(line) as DataRecord };
      batch.push({ input, keys: (await nextKeys?.()) ?? plannedKeysOf(step, recordOf(input)) });
      if (batch.length < BATCH_RECORDS) continue;
      yield emitBatch(batch.splice(0));
    }
    yield emitBatch(batch.splice(0));
    repairs?.writeTo(counts);
  } finally {
    answers.close();
  }

  function emitBatch(records: readonly { input: InputRecord; keys: PlannedKeys }[]): string[] {
    // Each request's source, looked up once: this run's position of its answer, INVALID or CACHED.
    const sources: number[] = [];
    // Only what this run's shards cannot answer by position is asked of the cache.
    const ask: string[] = [];
    for (const { keys } of records) {
      if (!Array.isArray(keys)) continue;
      for (const key of keys) {
        const cacheKey = key.slice(0, CACHE_KEY_HEX);
        const source = invalid.has(cacheKey) ? INVALID : (own.positionOf(cacheKey) ?? CACHED);
        if (source === CACHED) ask.push(key);
        sources.push(source);
      }
    }
    answers.prefetch(ask);
    const lines: string[] = [];
    let request = 0;
    for (const { input, keys } of records) {
      counts.input++;
      // Rejected while planning (its rejects-file line was written then): counted, never emitted.
      if (!Array.isArray(keys)) {
        countRejected(counts, keys.rejected);
        continue;
      }
      const recordId = input.text ? input.text.id : recordOf(input).id;
      for (let sampleIndex = 0; sampleIndex < keys.length; sampleIndex++) {
        const key = keys[sampleIndex]!;
        const source = sources[request++]!;
        counts.requested = (counts.requested ?? 0) + 1;
        if (source === INVALID) {
          const failed = invalid.get(key.slice(0, CACHE_KEY_HEX))!;
          countInvalid(counts, failed.outcome, failed.reason ? `${recordId}: ${failed.reason}` : recordId);
          continue;
        }
        const answer = answerOf(key, source);
        if (!answer) {
          countInvalid(counts, 'missing', recordId);
          continue;
        }
        const { shard, attempt } = answer;
        const fromCache = shard.runId !== context.runId;
        countValid(counts, fromCache, attempt);
        repairs?.valid(key, attempt);
        const id = sampleRecordId(recordId, sampleIndex, step.step.n);
        const spliced = input.text && splicedSampleLine(input.text, id, answer.text, entries.text(key, shard, fromCache, attempt));
        lines.push(spliced ?? sampleLine(recordOf(input), id, answer.text, entries.entry(key, shard, fromCache, attempt)));
      }
    }
    return lines;
  }

  /** The valid answer of a request from its source, or undefined when none is cached or its file cannot be read. */
  function answerOf(key: string, source: number): SampleAnswer | undefined {
    if (source !== CACHED) {
      const shard = own.shardAt(source);
      const text = answers.textAt(shard, own.offsetAt(source), own.bytesAt(source));
      return text === undefined ? undefined : { text, shard, attempt: own.attemptAt(source) };
    }
    const found = answers.find(key);
    const text = found && answers.valueText(found);
    return text === undefined ? undefined : { text, shard: found!.shard, attempt: found!.answer.attempt };
  }
}

/** A sample emitted with a valid answer: from this run or the cache, at its first attempt or a later one. */
function countValid(counts: StepCounts, fromCache: boolean, attempt: number): void {
  if (fromCache) counts.cached = (counts.cached ?? 0) + 1;
  counts.succeeded = (counts.succeeded ?? 0) + 1;
  if (attempt > 1) counts.retried = (counts.retried ?? 0) + 1;
  else counts.firstTry = (counts.firstTry ?? 0) + 1;
  counts.output++;
}

/** Where a request's answer is, when not at a position in this run's shards (those are never negative). */
const INVALID = -1;
const CACHED = -2;

/** The input record parsed, once, for what its text cannot serve (rendering its keys, the fallback of `sampleLine`). */
function recordOf(input: InputRecord): DataRecord {
  return (input.parsed ??= JSON.parse(input.line) as DataRecord);
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
  const fields = mergedFields(JSON.stringify(record.fields), answerText, answerKeys);
  const seedId = record.seedId === undefined ? '' : `,"seedId":${JSON.stringify(record.seedId)}`;
  const source = record.source ? `,"source":${JSON.stringify(record.source)}` : '';
  return `{"id":${JSON.stringify(id)}${seedId}${source},"fields":${fields},"lineage":${JSON.stringify(lineage)}}`;
}

/** The text of `{ ...fields, ...answer }` from theirs, when no answer key is one of the fields'. */
function mergedFields(fields: string, answerText: string, answerKeys: readonly string[]): string {
  return answerKeys.length === 0 ? fields : fields === '{}' ? answerText : `${fields.slice(0, -1)},${answerText.slice(1)}`;
}

/**
 * `sampleLine` for a record read as text (record-text.ts): its fields and lineage spliced as they
 * were read, the lineage entry as `JSON.stringify` writes it (`entryText`). Undefined where
 * `sampleLine` would not splice (an answer key the record has, or an integer-like one).
 */
export function splicedSampleLine(record: RecordText, id: string, answerText: string, entryText: string): string | undefined {
  const answerKeys = topLevelKeys(answerText) ?? Object.keys(JSON.parse(answerText) as object);
  for (const key of answerKeys) if (INDEX_LIKE.test(key) || record.fieldKeys.includes(key)) return undefined;
  const fields = mergedFields(record.fields, answerText, answerKeys);
  const seedId = record.seedId === undefined ? '' : `,"seedId":${record.seedId}`;
  const source = record.source === undefined ? '' : `,"source":${record.source}`;
  const lineage = record.lineage === '[]' ? `[${entryText}]` : `${record.lineage.slice(0, -1)},${entryText}]`;
  return `{"id":${JSON.stringify(id)}${seedId}${source},"fields":${fields},"lineage":${lineage}}`;
}

/**
 * The join at the heart of emitting (emit-samples.ts), one batch of input records at a time: each
 * (record, sample index) with its answer's source (this run's shards by position, this run's invalid
 * judgments, or the response cache), turned into its stage line or counted as invalid. The same code
 * runs on the calling thread and in the emit pool's workers (emit-worker.ts), so both write the
 * same bytes and counts.
 */
import type { DataRecord } from '../domain.js';
import { CACHE_KEY_BYTES } from '../store/response-cache.js';
import type { RunStore, ShardRow } from '../store/run-store.js';
import { CachedAnswers } from './cached-answers.js';
import { LineageEntries, type StepOfEntry } from './lineage-entries.js';
import { recordText, type RecordText } from './record-text.js';
import { sampleRecordId } from './render-requests.js';
import { RepairTally } from './repair-tally.js';
import { countInvalid, countRejected, type StepCounts } from './run-report.js';
import { RunAnswers } from './run-answers.js';
import { sampleLine, splicedSampleLine } from './sample-line.js';
import type { PlannedKeys } from './stage-files.js';

/** A record of the input: its line, its members' texts where emitting can splice them, and the record once parsed. */
export interface InputRecord {
  line: string;
  text: RecordText | undefined;
  parsed?: DataRecord;
}

/** An input record with its planned request keys (or why planning rejected it). */
export interface KeyedRecord {
  input: InputRecord;
  keys: PlannedKeys;
}

/**
 * What a step's samples need beyond the store: the lineage entry's shared part, samples per record,
 * and how valid samples are tallied (undefined: not at all, an embed step; else whether the step repairs).
 */
export interface EmitStep {
  runId: string;
  stepIndex: number;
  entry: StepOfEntry;
  n: number;
  tally: { repairs: boolean } | undefined;
}

/** A sample's valid answer: its JSON text, the shard that answered, and on which attempt. */
interface SampleAnswer {
  text: string;
  shard: ShardRow;
  attempt: number;
}

/** Where a request's answer is, when not at a position in this run's shards (those are never negative). */
const INVALID = -1;
const CACHED = -2;

const CACHE_KEY_HEX = CACHE_KEY_BYTES * 2;

/** Parses an input line only where its text cannot serve, so a malformed one fails where it always did. */
export function inputRecordOf(line: string): InputRecord {
  const text = recordText(line);
  return text ? { line, text } : { line, text, parsed: JSON.parse(line) as DataRecord };
}

/** The input record parsed, once, for what its text cannot serve (rendering its keys, the fallback of `sampleLine`). */
export function recordOf(input: InputRecord): DataRecord {
  return (input.parsed ??= JSON.parse(input.line) as DataRecord);
}

export class SampleEmitter {
  private readonly entries: LineageEntries;

  private constructor(
    private readonly step: EmitStep,
    private readonly own: RunAnswers,
    private readonly answers: CachedAnswers,
    /** Valid first try / after repair / after retry; undefined for an embed step. */
    readonly repairs: RepairTally | undefined,
  ) {
    this.entries = new LineageEntries(step.entry);
  }

  /** Reads this run's judgments of the step (run-answers.ts) and, for a generate step, its repairs. */
  static async open(store: RunStore, step: EmitStep): Promise<SampleEmitter> {
    return SampleEmitter.withAnswers(store, step, await RunAnswers.of(store, step.runId, step.stepIndex));
  }

  /**
   * The same with the run's judgments read already (by the thread that shares them with the emit
   * pool's workers). `byPosition`: this run's answers are read one at a time at their position, not
   * from their files read whole (an emit worker: it answers every other batch, so it would read and
   * decode every whole file for half its answers, as each of its peers would).
   */
  static withAnswers(store: RunStore, step: EmitStep, own: RunAnswers, options: { byPosition?: boolean } = {}): SampleEmitter {
    const answers = new CachedAnswers(store, options.byPosition ? {} : { wholeFilesOf: step.runId });
    const repairs = step.tally && RepairTally.ofShards(store, step.runId, step.stepIndex, step.tally.repairs);
    return new SampleEmitter(step, own, answers, repairs);
  }

  /** The batch's samples' stage lines, in input order; every record and sample counted in `counts`. */
  emit(records: readonly KeyedRecord[], counts: StepCounts): string[] {
    const { own } = this;
    // Each request's source, looked up once: this run's position of its answer, INVALID or CACHED.
    const sources: number[] = [];
    // Only what this run's shards cannot answer by position is asked of the cache.
    const ask: string[] = [];
    for (const { keys } of records) {
      if (!Array.isArray(keys)) continue;
      for (const key of keys) {
        const cacheKey = key.slice(0, CACHE_KEY_HEX);
        const source = own.invalidOf(cacheKey) ? INVALID : (own.positionOf(cacheKey) ?? CACHED);
        if (source === CACHED) ask.push(key);
        sources.push(source);
      }
    }
    this.answers.prefetch(ask);
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
          const failed = own.invalidOf(key.slice(0, CACHE_KEY_HEX))!;
          countInvalid(counts, failed.outcome, failed.reason ? `${recordId}: ${failed.reason}` : recordId);
          continue;
        }
        const answer = this.answerOf(key, source);
        if (!answer) {
          countInvalid(counts, 'missing', recordId);
          continue;
        }
        const { shard, attempt } = answer;
        const fromCache = shard.runId !== this.step.runId;
        countValid(counts, fromCache, attempt);
        this.repairs?.valid(key, attempt);
        const id = sampleRecordId(recordId, sampleIndex, this.step.n);
        const spliced = input.text && splicedSampleLine(input.text, id, answer.text, this.entries.text(key, shard, fromCache, attempt));
        lines.push(spliced ?? sampleLine(recordOf(input), id, answer.text, this.entries.entry(key, shard, fromCache, attempt)));
      }
    }
    return lines;
  }

  close(): void {
    this.answers.close();
  }

  /** The valid answer of a request from its source, or undefined when none is cached or its file cannot be read. */
  private answerOf(key: string, source: number): SampleAnswer | undefined {
    const { own, answers } = this;
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


import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { listVersions } from '../dataset/list-versions.js';
import type { Fields, DataRecord } from '../domain.js';
import type { DedupStep } from '../recipe/recipe.js';
import { LineChunk, readJsonLines, readRecordLines, readRecords, writeRecords } from './stage-files.js';
import { dedupStageLines, dedupStream, type DedupStreamOptions } from '../dedup/dedup-stream.js';
import { lookupFieldPath, semanticValueOf, type DedupStats, type DedupVerdict } from '../dedup/deduper.js';
import { DedupVectorError } from '../dedup/errors.js';
import { strideOf, vectorLengthOf, writeUnitVector } from '../dedup/unit-vector.js';
import { countRejected, type StepCounts } from './run-report.js';
import { rejectionExample, type StepRejects } from './step-rejects.js';
import type { StageFlow } from './stage-tap.js';

/**
 * Dedup across versions (`dedup: { against: previous }`). Each version carries, per dedup step, the
 * fields that step compares for every record of the version (`dedup-references-<step>.jsonl`). A
 * later run feeds those of every earlier version to the deduper as references: indexed, never
 * emitted, so a new record near-duplicate to anything already published is dropped.
 *
 * The final records are used (not the records at the dedup step), because what matters is what
 * the versions contain; the compared fields are still there, since steps only add fields.
 */

export function referenceFileName(step: DedupStep): string {
  return `dedup-references-${step.name}.jsonl`;
}

/** The top-level fields a dedup step reads (`meta.score` → `meta`). */
function comparedFields(step: DedupStep): string[] {
  const spec = step.spec as { fields?: string[]; semantic?: { field?: string } };
  const paths = [...(spec.fields ?? []), ...(spec.semantic?.field ? [spec.semantic.field] : [])];
  return [...new Set(paths.map((path) => path.split(/[.[]/)[0]!))];
}

/** Writes one references file per dedup step (into `directory`); returns them as extra version files. */
export async function writeDedupReferences(finalStage: string, steps: DedupStep[], directory: string): Promise<{ from: string; name: string }[]> {
  if (steps.length === 0) return [];
  const outputs = steps.map((step) => ({ step, fields: comparedFields(step), path: join(directory, referenceFileName(step)) }));
  const streams = outputs.map((output) => createWriteStream(output.path));
  for await (const record of readRecords(finalStage)) {
    for (const [index, output] of outputs.entries()) {
      const picked: Fields = {};
      for (const field of output.fields) if (field in record.fields) picked[field] = record.fields[field];
      if (!streams[index]!.write(`${JSON.stringify({ id: record.id, fields: picked })}\n`)) await once(streams[index]!, 'drain');
    }
  }
  await Promise.all(streams.map(async (stream) => {
    stream.end();
    await once(stream, 'finish');
  }));
  return outputs.map((output) => ({ from: output.path, name: referenceFileName(output.step) }));
}

/** The records of every earlier version of `dataset`, as references for `step`. */
export async function* previousReferences(outputsRoot: string, dataset: string, step: DedupStep): AsyncIterable<{ id: string; fields: Fields }> {
  if (!existsSync(join(outputsRoot, dataset))) return;
  for (const version of await listVersions(outputsRoot, dataset)) {
    const path = join(version.dir, referenceFileName(step));
    if (!existsSync(path)) continue;
    for await (const reference of readJsonLines<{ id: string; fields: Fields }>(path)) {
      yield { id: `${version.version}:${reference.id}`, fields: reference.fields };
    }
  }
}

/** Below this many records a worker's start-up costs more than sketching on the calling thread. */
const WORKERS_FROM_RECORDS = 20_000;
/**
 * The workers parse the stage lines, sketch and hold the LSH band tables; the calling thread reads
 * the file, numbers, verifies and writes, about 1/8 of the work with 2 workers (bench/README.md, ddcaller).
 */
const MAX_SKETCH_WORKERS = 8;

/** Worker threads for a dedup step's records; the verdicts are the same for any number. */
export function sketchWorkers(records: number): number {
  return records < WORKERS_FROM_RECORDS ? 1 : Math.min(MAX_SKETCH_WORKERS, availableParallelism());
}

/**
 * A dedup step: exact then near-duplicate removal, keeping the first record of each cluster (records
 * arrive in stable-id order). `references` are records of earlier dataset versions (`against:
 * previous`): indexed, never emitted. A record lacking a compared field (or whose vector cannot be
 * compared) is rejected as bad input before it reaches the deduper, which would stop the whole
 * stream on it.
 */
export async function runDedupStep(
  step: DedupStep,
  inputPath: string,
  outputPath: string,
  options: {
    references?: AsyncIterable<{ id: string; fields: Record<string, unknown> }>;
    rejects: StepRejects;
    /** How many records the input holds (what the step before wrote), to size the sketching pool and the index. */
    records?: number;
    /** Worker threads (default: sketchWorkers(records)); 1 sketches on the calling thread. */
    workers?: number;
    /** Called once at the end with the deduplication's statistics (benchmarks report them). */
    onStats?: (stats: DedupStats) => void;
    /** The input as it is written and the output's reader, when steps overlap. */
    flow?: StageFlow;
  },
): Promise<StepCounts> {
  const counts: StepCounts = { input: 0, output: 0, duplicates: { exact: 0, near: 0, semantic: 0 } };
  const { rejects, flow = {} } = options;
  const problemOf = dedupRecordCheck(step);
  const workers = options.workers ?? sketchWorkers(options.records ?? 0);
  const streamOptions: DedupStreamOptions = {
    ...(options.references ? { references: options.references } : {}),
    ...(workers > 1 ? { workers } : {}),
    ...(options.records === undefined ? {} : { expectedRecords: options.records }),
    ...(options.onStats === undefined ? {} : { onStats: options.onStats }),
  };
  // The removed record is parsed from its line only when the rejects keep it (`--keep-rejects`):
  // otherwise it is only counted, like a kept line, which this thread never parses either.
  async function removed(line: Buffer, verdict: DedupVerdict & { keep: false }): Promise<void> {
    counts.duplicates![verdict.reason]++;
    if (!rejects.keepsRemoved) return;
    const record = JSON.parse(line.toString('utf8')) as DataRecord;
    const measure = verdict.reason === 'semantic' ? 'cosine' : 'Jaccard';
    const similarity = verdict.similarity === undefined ? '' : ` (${measure} ${verdict.similarity.toFixed(3)})`;
    await rejects.removed(record, step.name, 'duplicate', `${verdict.reason} duplicate of ${verdict.duplicateOf}${similarity}`);
  }
  async function rejected(record: DataRecord, problem: string): Promise<void> {
    countRejected(counts, rejectionExample(record, problem));
    await rejects.error(record, step.name, problem);
  }

  // Exact and near dedup read the stage lines raw: the sketch workers parse them (dedupStageLines),
  // and this thread parses only the lines it rejects, and those it removes when the rejects keep
  // them. Kept lines go through as read: moved down over the lines dropped before them, in the
  // batch's own buffer (nothing else holds it once its verdicts are in), and written with the
  // tap's reader handed that buffer, so no kept byte is copied into a new one.
  async function* keptLines(): AsyncIterable<LineChunk> {
    for await (const { bytes, lines, verdicts } of dedupStageLines(inputPath, step.spec, { ...streamOptions, ...(flow.input ? { lineBatches: flow.input } : {}) })) {
      let buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      let kept = 0;
      let used = 0;
      // A run of adjacent kept lines [runStart, runEnd), moved at once when it ends; only lines one
      // newline apart join a run: the file's CRs and empty lines are not written.
      let runStart = 0;
      let runEnd = -1;
      const moveRun = (): void => {
        if (runEnd < 0) return;
        // Moved down only over bytes already decided (lines are handled in order): a removed line
        // the rejects parse later in this batch lies past the run.
        buffer.copyWithin(used, runStart, runEnd);
        used += runEnd - runStart;
        // A last line without its newline, after nothing dropped, leaves no byte to put one in.
        if (used === buffer.length) buffer = grown(buffer);
        buffer[used++] = 10;
        runEnd = -1;
      };
      for (let line = 0; line < lines.count; line++) {
        counts.input++;
        const verdict = verdicts[line];
        const start = lines.starts[line]!;
        const end = lines.ends[line]!;
        if (verdict?.keep === true) {
          counts.output++;
          kept++;
          if (runEnd >= 0 && runEnd + 1 !== start) moveRun();
          if (runEnd < 0) runStart = start;
          runEnd = end;
          continue;
        }
        moveRun();
        if (verdict !== undefined) {
          await removed(buffer.subarray(start, end), verdict);
          continue;
        }
        // Set aside by the worker: parsed here as readRecordLines would, so a line that is not JSON
        // fails the step the same way.
        const record = JSON.parse(buffer.toString('utf8', start, end)) as DataRecord;
        const problem = problemOf(record.fields);
        if (problem === undefined) throw new Error(`internal: line ${counts.input} of ${inputPath} was set aside by the dedup parse but passes its check`);
        await rejected(record, problem);
      }
      moveRun();
      if (kept > 0) yield new LineChunk(buffer.subarray(0, used), kept);
    }
  }

  // A semantic step needs the vectors on this thread: records are parsed here.
  const pickCompared = comparedFieldsPicker(step);
  // What the deduper sees (id, the fields it compares) with the record's line: a kept record goes
  // through as read. The parsed record is dropped at once: records in flight between threads
  // outlive the young generation, and promoting whole records was most of this thread's GC.
  async function* comparable(): AsyncIterable<{ id: string; fields: Fields; line: Buffer }> {
    for await (const { record, line } of readRecordLines(inputPath, flow.input)) {
      counts.input++;
      const problem = problemOf(record.fields);
      if (problem === undefined) {
        yield { id: record.id, fields: pickCompared(record.fields), line };
        continue;
      }
      await rejected(record, problem);
    }
  }
  async function* kept(): AsyncIterable<Buffer> {
    for await (const { record: { line }, verdict } of dedupStream(comparable(), step.spec, streamOptions)) {
      if (verdict.keep) {
        counts.output++;
        yield line;
        continue;
      }
      await removed(line, verdict);
    }
  }
  const textOnly = step.spec.semantic === undefined && (step.spec.exact || step.spec.near !== undefined);
  await writeRecords(outputPath, textOnly ? keptLines() : kept(), flow.output ? { tap: flow.output } : {});
  return counts;
}

/** The bytes with room for one more, in memory of their own (a LineChunk's). */
function grown(bytes: Buffer<ArrayBuffer>): Buffer<ArrayBuffer> {
  const larger = Buffer.allocUnsafeSlow(bytes.length + 1);
  bytes.copy(larger);
  return larger;
}

/**
 * The part of a record's fields the step compares, for dedupTextOf and semanticValueOf: each path as
 * a literal key and its first dotted segment (lookupFieldPath tries both), so lookups find what they
 * would in the whole fields.
 */
function comparedFieldsPicker(step: DedupStep): (fields: Fields) => Fields {
  const spec = step.spec;
  const paths = [...spec.fields, ...(spec.semantic?.field === undefined ? [] : [spec.semantic.field])];
  const keys = [...new Set(paths.flatMap((path) => [path, path.split('.')[0]!]))];
  return (fields) => {
    // No prototype, so a field named "__proto__" is copied as a field, as JSON.parse made it.
    const picked = Object.create(null) as Fields;
    for (const key of keys) if (Object.hasOwn(fields, key)) picked[key] = fields[key];
    return picked;
  };
}

/**
 * What the deduper would stop on for one record, as the reason to reject it: a field listed under
 * `fields` that is absent (exact and near dedup), or a semantic vector that is missing, not a list
 * of finite numbers, all zeros, or of another length than the first good one.
 */
function dedupRecordCheck(step: DedupStep): (fields: Fields) => string | undefined {
  const { spec } = step;
  const textFields = spec.exact || spec.near !== undefined ? spec.fields : [];
  const vectorField = spec.semantic?.field;
  let dimension: number | undefined;
  let scratch = new Float32Array(0);
  return (fields) => {
    for (const path of textFields) {
      if (!lookupFieldPath(fields, path).found) return `dedup field "${path}" is missing (null would count as present)`;
    }
    if (vectorField === undefined) return undefined;
    const value = semanticValueOf(fields, vectorField);
    try {
      const length = vectorLengthOf(value, { recordId: undefined, field: vectorField });
      if (scratch.length < strideOf(length)) scratch = new Float32Array(strideOf(length));
      dimension = writeUnitVector(value, dimension, scratch, { recordId: undefined, field: vectorField });
    } catch (error) {
      if (error instanceof DedupVectorError) return error.message;
      throw error;
    }
    return undefined;
  };
}

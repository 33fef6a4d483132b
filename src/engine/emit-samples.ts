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
import { existsSync } from 'node:fs';
import type { RunStore } from '../store/run-store.js';
import { readFileLines } from '../dataset/read-file-lines.js';
import type { CompiledBatchStep } from './compile-recipe.js';
import { LineChunk, openRequestKeys, requestKeysPath } from './stage-files.js';
import { plannedKeysOf } from './render-requests.js';
import { addStepCounts, type StepCounts } from './run-report.js';
import { RepairTally } from './repair-tally.js';
import { RunAnswers } from './run-answers.js';
import { stepRepairs } from './repair-requests.js';
import { EmitPool, emitWorkers, type EmittedBatch } from './emit-pool.js';
import { FileLineGroups, nonEmptyLine, type LineGroup } from './file-line-groups.js';
import { inFlightWindow } from '../in-flight-window.js';
import { inputRecordOf, recordOf, SampleEmitter, type EmitStep, type KeyedRecord } from './sample-emitter.js';

export { sampleLine, splicedSampleLine } from './sample-line.js';

/**
 * Lines per string `emitSampleChunks` yields: about 100 KiB of samples, below the size V8 puts in its
 * large-object space (a whole batch's 450 KiB strings there cost 20 MiB of peak RSS).
 */
const CHUNK_LINES = 64;

/** Records read ahead, so their answers are looked up in one SQLite call per batch. */
const BATCH_RECORDS = 256;

/**
 * Records per batch sent to an emit worker: four of the calling thread's batches (the same cache
 * lookups), about 1.7 MB of input at the bench's record size, so a batch's message costs little
 * beside its work.
 */
const POOL_BATCH_RECORDS = 4 * BATCH_RECORDS;

/**
 * Fewer records than this are emitted on the calling thread unless a worker count was set: a worker's
 * start (its isolate and modules, ≈ 0.1 s of CPU from dist/) is the calling thread's work on ≈ 6K
 * samples at ≈ 17 µs each.
 */
const MIN_POOL_RECORDS = 8 * POOL_BATCH_RECORDS;

type EmitContext = { runId: string; store: RunStore };

/**
 * How a pass emits: on the calling thread (`threads` 0) or in that many worker threads beside it;
 * `minRecords`: the input below which it stays on the calling thread; `batchRecords`: records per
 * worker batch (tests use small ones).
 */
export interface EmitThreads {
  threads: number;
  minRecords: number;
  batchRecords?: number;
}

/**
 * The step's output records, each as its stage-file line (JSON text, no newline): what
 * `writeRecords` writes as is. Always on the calling thread (a judge step parses each line next).
 */
export async function* emitSamples(context: EmitContext, step: CompiledBatchStep, inputPath: string, counts: StepCounts): AsyncIterable<string> {
  for await (const lines of emitLineBatches(context, step, inputPath, counts)) yield* lines;
}

/**
 * The same lines, those of each batch of records joined by newlines into one string or buffer:
 * `writeRecords` writes each with its newline, so the stage file has the same bytes, in one stream
 * write and one step of iteration per CHUNK_LINES samples instead of per sample. With more than one
 * emit thread (emit-pool.ts) and a keys file to read the requests from, the samples are emitted in
 * the workers, each batch's lines coming back as one buffer, newlines included, that is written as
 * it is (a LineChunk): the same bytes and counts.
 */
export async function* emitSampleChunks(
  context: EmitContext,
  step: CompiledBatchStep,
  inputPath: string,
  counts: StepCounts,
  threads: EmitThreads = defaultThreads(),
): AsyncIterable<string | LineChunk> {
  const keysPath = requestKeysPath(inputPath, step.step.index);
  if (threads.threads > 0 && (await hasLines(keysPath, threads.minRecords))) {
    yield* emitPooled(context, step, inputPath, keysPath, counts, threads.threads, threads.batchRecords ?? POOL_BATCH_RECORDS);
    return;
  }
  for await (const lines of emitLineBatches(context, step, inputPath, counts)) {
    for (let start = 0; start < lines.length; start += CHUNK_LINES) yield lines.slice(start, start + CHUNK_LINES).join('\n');
  }
}

function defaultThreads(): EmitThreads {
  const { threads, explicit } = emitWorkers();
  return { threads, minRecords: explicit ? 0 : MIN_POOL_RECORDS };
}

function emitStepOf(context: EmitContext, step: CompiledBatchStep): EmitStep {
  return {
    runId: context.runId,
    stepIndex: step.step.index,
    entry: { step: step.step.name, provider: step.step.modelRef.provider, model: step.step.modelRef.model },
    n: step.step.n,
    tally: step.kind === 'generate' ? { repairs: stepRepairs(step) } : undefined,
  };
}

async function* emitLineBatches(context: EmitContext, step: CompiledBatchStep, inputPath: string, counts: StepCounts): AsyncIterable<string[]> {
  const samples = await SampleEmitter.open(context.store, emitStepOf(context, step));
  const nextKeys = openRequestKeys(requestKeysPath(inputPath, step.step.index));
  const batch: KeyedRecord[] = [];
  try {
    for await (const line of readFileLines(inputPath)) {
      if (line === '') continue;
      const input = inputRecordOf(line);
      batch.push({ input, keys: (await nextKeys?.()) ?? plannedKeysOf(step, recordOf(input)) });
      if (batch.length < BATCH_RECORDS) continue;
      yield samples.emit(batch.splice(0), counts);
    }
    yield samples.emit(batch.splice(0), counts);
    samples.repairs?.writeTo(counts);
  } finally {
    samples.close();
    await nextKeys?.close();
  }
}

/**
 * The pooled pass: this thread reads the input's lines and the keys file's, as bytes, a batch at a
 * time, hands each batch to the pool and writes the batches' lines and adds their counts in input
 * order, with at most two batches per worker in flight (memory). A batch's failure (a malformed
 * line) surfaces where the calling thread's pass would have thrown it: batches before it are
 * awaited first. The workers are ended however the pass ends.
 */
async function* emitPooled(
  context: EmitContext,
  step: CompiledBatchStep,
  inputPath: string,
  keysPath: string,
  counts: StepCounts,
  workers: number,
  batchRecords: number,
): AsyncIterable<LineChunk> {
  const emitStep = emitStepOf(context, step);
  // The workers start (an isolate each) while this thread reads the run's answers, which they share.
  const starting = EmitPool.start(workers, { stateDir: context.store.stateDir, step: emitStep });
  let answers: RunAnswers;
  try {
    answers = await RunAnswers.of(context.store, emitStep.runId, emitStep.stepIndex);
  } catch (error) {
    await starting.then((pool) => pool.close(), () => undefined);
    throw error;
  }
  const pool = await starting;
  pool.share(answers.shared());
  const input = new FileLineGroups(inputPath);
  const keys = new FileLineGroups(keysPath);
  const repairs = step.kind === 'generate' ? new RepairTally() : undefined;
  /** The input's batches with their keys lines; `complete`: false from the first the keys file ends before. */
  async function* batches(): AsyncIterable<{ records: LineGroup; planned: LineGroup; complete: boolean }> {
    for (let keysLeft = true; ; ) {
      const records = await input.take(batchRecords, nonEmptyLine);
      if (records.bytes.length === 0) return;
      const planned: LineGroup = keysLeft ? await keys.take(records.lines) : { bytes: new Uint8Array(0), lines: 0 };
      keysLeft &&= planned.lines === records.lines;
      yield { records, planned, complete: keysLeft };
    }
  }
  const start = ({ records, planned, complete }: { records: LineGroup; planned: LineGroup; complete: boolean }): Promise<EmittedBatch> => {
    const emitted = complete ? pool.emit(records.bytes, planned.bytes) : renderedKeys(step, records.bytes, planned).then((rendered) => pool.emit(records.bytes, rendered));
    // Awaited in order by the window; until then its failure is not unhandled.
    emitted.catch(() => undefined);
    return emitted;
  };
  try {
    for await (const batch of inFlightWindow(batches(), 2 * pool.size, start, (emitted) => emitted)) yield* written(batch);
    repairs?.writeTo(counts);
  } finally {
    await Promise.all([pool.close(), input.close(), keys.close()]);
  }

  function* written(batch: EmittedBatch): Generator<LineChunk> {
    addStepCounts(counts, batch.counts);
    if (batch.repairs) repairs?.add(batch.repairs);
    if (batch.samples > 0) yield new LineChunk(Buffer.from(batch.text.buffer, batch.text.byteOffset, batch.text.byteLength), batch.samples);
  }
}

/**
 * The keys lines of a batch whose records the keys file ends before (a file cut short: the calling
 * thread's pass renders those records' keys then): the file's lines, then the rest rendered here.
 */
async function renderedKeys(step: CompiledBatchStep, input: Uint8Array, planned: { bytes: Uint8Array; lines: number }): Promise<Uint8Array<ArrayBuffer>> {
  const lines: string[] = [];
  let record = 0;
  for (const line of Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8').split('\n')) {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text === '') continue;
    // Every record read, as the calling thread's pass reads them: a malformed one fails in its place.
    const read = inputRecordOf(text);
    if (record++ >= planned.lines) lines.push(JSON.stringify(plannedKeysOf(step, recordOf(read))));
  }
  const rendered = Buffer.from(lines.map((line) => `${line}\n`).join(''));
  const bytes = new Uint8Array(planned.bytes.length + rendered.length);
  bytes.set(planned.bytes);
  bytes.set(rendered, planned.bytes.length);
  return bytes;
}

/** Whether the file exists and has at least `count` lines, reading no further than that. */
async function hasLines(path: string, count: number): Promise<boolean> {
  if (!existsSync(path)) return false;
  if (count === 0) return true;
  const lines = new FileLineGroups(path);
  try {
    return (await lines.take(count)).lines >= count;
  } finally {
    await lines.close();
  }
}

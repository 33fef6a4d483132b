/**
 * Pass 1 of writing a version: every record is mapped to a row of the output format and checked.
 * A row whose split is known now (split by a hash of its id) goes straight to the sink: its shard's
 * JSON lines and its lineage line. With stratified splits the split depends on every record of the
 * stratum, so the row goes to a spill file inside the staging folder instead, with what pass 2
 * needs (its lineage, content hash and stratum). Pass 1 also learns the column types, which Parquet
 * needs up front: a shard's Parquet twin is streamed from its JSON lines with the columns known so
 * far, and rebuilt at the end if they changed (parquet-twins.ts). Memory
 * holds the column kinds and, when stratifying, one double per record, never rows.
 *
 * Mapping and serialising the records (row-batch.ts) is most of the pass. Given the stage's lines
 * (`recordLines`) it runs on write threads (row-pool.ts) where there are cores for them, batches in
 * flight in a window; this thread keeps what has an order or a file, in record order, so the bytes
 * are the same with any number of threads. Without threads the batches are mapped here, as before.
 */
import { join } from 'node:path';
import type { DataRecord } from '../domain.js';
import { lineBatches, wholeLineChunks } from './line-chunks.js';
import { inFlightWindow } from '../in-flight-window.js';
import { ColumnTracker, type ColumnSpec } from './column-kinds.js';
import type { DataFileSink, LineageText } from './data-file-sink.js';
import { DATASET_FORMATS } from './formats/dataset-formats.js';
import { JsonlFileWriter } from './jsonl-file-writer.js';
import { UNMAPPED_FILE } from './manifest.js';
import type { OutputSpec } from './output-spec.js';
import { templatesAreSources, type OutputTemplates } from './output-templates.js';
import type { ParquetTwins } from './parquet-twins.js';
import { recordsOfLines, RowBatcher, splitFractionsOf, type RowBatch } from './row-batch.js';
import { RowPool, writeThreads, type RowAnswer } from './row-pool.js';
import { StratifiedSplits } from './split-assigner.js';

export const SPILL_FILE = '.spill.jsonl';
const MAX_EXAMPLES = 5;
/** Records per batch mapped on this thread: a handful of arrays each, not one object per record. */
const RECORDS_PER_BATCH = 256;
/** Bytes of stage lines per batch handed to a write thread (a few hundred records). */
const BATCH_BYTES = 256 * 1024;
/** Batches in flight per write thread: one mapping, one waiting, so no thread idles between them. */
const IN_FLIGHT_PER_THREAD = 2;

/** A line of the spill file (row-batch.ts, spillLineOf), read back. */
export interface SpillLine extends LineageText {
  id: string;
  stratum?: string;
  rowJson: string;
}

export function parseSpillLine(line: string): SpillLine {
  const fields = line.split('\t', 5);
  const [idJson, seedIdJson, stepsJson, contentHash, stratumJson] = fields as [string, string, string, string, string];
  const rowJson = line.slice(fields.reduce((length, field) => length + field.length + 1, 0));
  return {
    id: JSON.parse(idJson) as string,
    idJson,
    seedIdJson: seedIdJson === '' ? undefined : seedIdJson,
    stepsJson: stepsJson === '' ? undefined : stepsJson,
    contentHash,
    ...(stratumJson === '' ? {} : { stratum: JSON.parse(stratumJson) as string }),
    rowJson,
  };
}

export interface SpillResult {
  /** The spill file, when splits are stratified; otherwise every row already went to the sink. */
  path?: string;
  rows: number;
  columns: ColumnSpec[];
  unmapped: number;
  unmappedExamples: string[];
  stratified?: StratifiedSplits;
}

/** Pass 1's input: `records`, or the stage's lines (`recordLines`, chunks of whole JSON lines), which write threads can take. */
export interface SpillInput {
  records?: AsyncIterable<DataRecord>;
  recordLines?: AsyncIterable<Uint8Array>;
  /** Each chunk of `recordLines` is whole lines in memory nothing else holds (write-version.ts). */
  recordLinesOwned?: boolean;
  output: OutputSpec;
  templates: OutputTemplates;
  vectorColumns?: readonly string[];
}

export async function spillRows(stagingDir: string, input: SpillInput, sink: DataFileSink, parquet?: ParquetTwins): Promise<SpillResult> {
  const { output } = input;
  const format = DATASET_FORMATS[output.format];
  const tracker = new ColumnTracker(format.columns, input.vectorColumns ? { vectorColumns: input.vectorColumns } : {});
  parquet?.useColumns(() => tracker.columns());
  const splitNames = splitFractionsOf(output).map(([name]) => name);
  const stratified = output.stratify_by ? new StratifiedSplits(splitFractionsOf(output)) : undefined;
  const path = join(stagingDir, SPILL_FILE);
  // Read back once and deleted: nothing needs its digest.
  const spill = stratified ? new JsonlFileWriter(path, { digest: false }) : undefined;
  let unmappedFile: JsonlFileWriter | undefined;
  const result: SpillResult = { rows: 0, columns: [], unmapped: 0, unmappedExamples: [], ...(stratified ? { path, stratified } : {}) };
  const batcher = new RowBatcher(input);
  const pool = rowPoolFor(input);
  try {
    for await (const batch of pool ? pooledBatches(input.recordLines!, input.recordLinesOwned === true, pool, batcher) : rowBatches(input, batcher)) {
      const { encoded } = batch;
      let row = 0;
      let unmapped = 0;
      let observed = 0;
      for (let index = 0; index < batch.records; index++) {
        if (batch.unmapped[index] === 1) {
          unmappedFile ??= new JsonlFileWriter(join(stagingDir, UNMAPPED_FILE));
          await unmappedFile.write(batch.unmappedLines[unmapped]!);
          if (result.unmappedExamples.length < MAX_EXAMPLES) result.unmappedExamples.push(batch.unmappedExamples[unmapped]!);
          unmapped++;
          continue;
        }
        const observation = batch.observed[observed];
        if (observation?.[0] === row) {
          observed++;
          if (tracker.observeKinds(observation[1])) parquet?.columnsChanged();
        }
        const textStart = row === 0 ? 0 : encoded?.textEnds[row - 1]!;
        if (!spill) {
          const split = splitNames[batch.splits[row]!]!;
          const written = encoded ? sink.addRowBytes(split, encoded.texts, textStart!, encoded.textEnds[row]!) : sink.addLines(split, batch.texts[row]!, batch.lineage[row]!);
          if (written) await written;
        } else {
          stratified!.add(batch.strata[row]!, batch.units[row]!);
          const written = encoded ? spill.writeBytes(encoded.texts, textStart!, encoded.textEnds[row]!) : spill.write(batch.texts[row]!);
          if (written) await written;
        }
        row++;
      }
      // The batch's lineage lines, in row order, are one run of its encoded lineage.
      if (encoded && !spill && row > 0) {
        const written = sink.addLineageBytes(encoded.lineage, 0, encoded.lineageEnds[row - 1]!);
        if (written) await written;
      }
      result.rows += row;
      result.unmapped += unmapped;
    }
  } catch (error) {
    spill?.abort();
    unmappedFile?.abort();
    throw error;
  } finally {
    await pool?.close();
  }
  await spill?.close();
  await unmappedFile?.close();
  result.columns = tracker.columns();
  // Replaying the spill, the shards' twins stream with the final columns.
  parquet?.useColumns(() => result.columns);
  return result;
}

/**
 * Write threads, when the records come as lines, there are threads to have, and the templates can
 * be compiled on them (a TS recipe's functions cannot travel).
 */
/** Whether write threads map the rows: lines handed over, threads allowed, and templates a thread can compile. */
export function rowsMappedOnThreads(input: Pick<SpillInput, 'recordLines' | 'output'>): boolean {
  return input.recordLines !== undefined && writeThreads().threads > 0 && templatesAreSources(input.output);
}

function rowPoolFor(input: SpillInput): RowPool | undefined {
  if (!rowsMappedOnThreads(input)) return undefined;
  return new RowPool(writeThreads().threads, { output: input.output, ...(input.vectorColumns ? { vectorColumns: input.vectorColumns } : {}) });
}

/** Batches mapped on this thread: of the records given, or of each chunk of lines. */
async function* rowBatches(input: SpillInput, batcher: RowBatcher): AsyncIterable<RowBatch> {
  if (input.recordLines !== undefined) {
    // A chunk holds a thousand records or so: mapped a batch at a time, so that the rows' strings
    // are written before the next young-generation collection has to copy them.
    for await (const chunk of wholeLineChunks(input.recordLines)) {
      const records = recordsOfLines(chunk);
      for (let batch = batcher.map(take(records, RECORDS_PER_BATCH)); batch.records > 0; batch = batcher.map(take(records, RECORDS_PER_BATCH))) yield batch;
    }
    return;
  }
  let records: DataRecord[] = [];
  for await (const record of input.records ?? []) {
    records.push(record);
    if (records.length < RECORDS_PER_BATCH) continue;
    yield batcher.map(records);
    records = [];
  }
  if (records.length > 0) yield batcher.map(records);
}

/** The next `count` items of `items` at most, leaving the rest to the next call. */
function* take<Item>(items: Iterator<Item>, count: number): Generator<Item> {
  for (let taken = 0; taken < count; taken++) {
    const next = items.next();
    if (next.done === true) return;
    yield next.value;
  }
}

/** Batches mapped on the write threads, in order (`owned`: see SpillInput); one a thread handed back (a record threw) is mapped here, to throw here. */
function pooledBatches(lines: AsyncIterable<Uint8Array>, owned: boolean, pool: RowPool, batcher: RowBatcher): AsyncIterable<RowBatch> {
  return inFlightWindow(
    // Chunks that are whole lines in memory of their own go as they are: regrouping them copied
    // every byte of the stage on this thread, and the copies' memory set off full collections.
    owned ? (lines as AsyncIterable<Uint8Array<ArrayBuffer>>) : lineBatches(lines, BATCH_BYTES),
    IN_FLIGHT_PER_THREAD * pool.size,
    (bytes) => pool.map(bytes),
    async (answer: Promise<RowAnswer>) => {
      const settled = await answer;
      return 'batch' in settled ? settled.batch : batcher.map(recordsOfLines(settled.lines));
    },
  );
}

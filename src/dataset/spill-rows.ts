/**
 * Pass 1 of writing a version: every record is mapped to a row of the output format and checked.
 * A row whose split is known now (split by a hash of its id) goes straight to the sink: its shard's
 * JSON lines and its lineage line. With stratified splits the split depends on every record of the
 * stratum, so the row goes to a spill file inside the staging folder instead, with what pass 2
 * needs (its lineage, content hash and stratum). Pass 1 also learns the column types, which Parquet
 * needs up front: a shard's Parquet twin is streamed from its JSON lines with the columns known so
 * far, and rebuilt at the end if they changed (parquet-twins.ts). Memory
 * holds the column kinds and, when stratifying, one double per record, never rows.
 */
import { join } from 'node:path';
import type { DataRecord } from '../domain.js';
import { ColumnTracker, type ColumnSpec } from './column-kinds.js';
import type { DataFileSink, LineageText } from './data-file-sink.js';
import { DATASET_FORMATS } from './formats/dataset-formats.js';
import { JsonlFileWriter } from './jsonl-file-writer.js';
import { UNMAPPED_FILE } from './manifest.js';
import { mapRecordToRow } from './map-record.js';
import { quote, serializeRow } from './sample-hash.js';
import type { OutputSpec } from './output-spec.js';
import type { OutputTemplates } from './output-templates.js';
import type { ParquetTwins } from './parquet-twins.js';
import { hashUnit, splitOfUnit, StratifiedSplits, stratumOf, type SplitFractions } from './split-assigner.js';

export const SPILL_FILE = '.spill.jsonl';
const MAX_EXAMPLES = 5;

/**
 * One line of the spill file: tab-separated fields, the row's JSON last, exactly as the data files
 * will hold it (JSON text never contains a raw tab). The lineage fields are kept as the JSON text
 * their lineage.jsonl line is made of, so pass 2 parses only the id (and the stratum).
 */
export interface SpillLine extends LineageText {
  id: string;
  stratum?: string;
  rowJson: string;
}

function spillLineOf(lineage: LineageText, stratum: string | undefined, rowJson: string): string {
  // An absent value is an empty field; no JSON text is empty.
  return `${lineage.idJson}\t${lineage.seedIdJson ?? ''}\t${lineage.stepsJson ?? ''}\t${lineage.contentHash}\t${stratum === undefined ? '' : JSON.stringify(stratum)}\t${rowJson}\n`;
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

export async function spillRows(
  stagingDir: string,
  input: { records: AsyncIterable<DataRecord>; output: OutputSpec; templates: OutputTemplates; vectorColumns?: readonly string[] },
  sink: DataFileSink,
  parquet?: ParquetTwins,
): Promise<SpillResult> {
  const { output, templates } = input;
  const format = DATASET_FORMATS[output.format];
  const tracker = new ColumnTracker(format.columns, input.vectorColumns ? { vectorColumns: input.vectorColumns } : {});
  parquet?.useColumns(() => tracker.columns());
  const fractions = splitFractionsOf(output);
  const stratified = output.stratify_by ? new StratifiedSplits(fractions) : undefined;
  const path = join(stagingDir, SPILL_FILE);
  // Read back once and deleted: nothing needs its digest.
  const spill = stratified ? new JsonlFileWriter(path, { digest: false }) : undefined;
  let unmappedFile: JsonlFileWriter | undefined;
  const result: SpillResult = { rows: 0, columns: [], unmapped: 0, unmappedExamples: [], ...(stratified ? { path, stratified } : {}) };
  try {
    for await (const record of input.records) {
      const mapped = mapRecordToRow(output.format, record, templates);
      if (!mapped.ok) {
        unmappedFile ??= new JsonlFileWriter(join(stagingDir, UNMAPPED_FILE));
        // `source` (where the record was read) lets a person find the record without our internal ids.
        await unmappedFile.write(`${JSON.stringify({ id: record.id, seed_id: record.seedId, ...(record.source ? { source: record.source } : {}), problems: mapped.problems })}\n`);
        result.unmapped++;
        if (result.unmappedExamples.length < MAX_EXAMPLES) result.unmappedExamples.push(`${record.source ?? record.id}: ${mapped.problems.join('; ')}`);
        continue;
      }
      if (tracker.observe(mapped.row, format.writesId ? undefined : 'id')) parquet?.columnsChanged();
      const { id } = mapped.row;
      const unit = hashUnit(id);
      const { json: rowJson, contentHash } = serializeRow(mapped.row, format.writesId);
      const lineage = { idJson: quote(id), seedIdJson: JSON.stringify(record.seedId), stepsJson: JSON.stringify(record.lineage), contentHash };
      result.rows++;
      if (!spill) {
        const written = sink.add(splitOfUnit(unit, fractions), rowJson, lineage);
        if (written) await written;
        continue;
      }
      const stratum = stratumOf(record.fields, output.stratify_by!);
      stratified!.add(stratum, unit);
      const written = spill.write(spillLineOf(lineage, stratum, rowJson));
      if (written) await written;
    }
  } catch (error) {
    spill?.abort();
    unmappedFile?.abort();
    throw error;
  }
  await spill?.close();
  await unmappedFile?.close();
  result.columns = tracker.columns();
  // Replaying the spill, the shards' twins stream with the final columns.
  parquet?.useColumns(() => result.columns);
  return result;
}

export function splitFractionsOf(output: OutputSpec): SplitFractions {
  return Object.entries(output.splits);
}

/**
 * Pass 1 of writing a version: every record is mapped to a row of the output format and checked,
 * and the row goes to a spill file inside the staging folder with what pass 2 needs (its lineage,
 * content hash and stratum). Pass 1 learns what must be known before the first file is written:
 * the column types (Parquet needs its schema up front) and, for stratified splits, every stratum's
 * ranking. Memory holds the column kinds and, when stratifying, one double per record, never rows.
 */
import { join } from 'node:path';
import type { DataRecord, LineageEntry } from '../domain.js';
import { ColumnTracker, type ColumnSpec } from './column-kinds.js';
import { DATASET_FORMATS } from './formats/dataset-formats.js';
import { fileRowOf } from './formats/format-helpers.js';
import { JsonlFileWriter } from './jsonl-file-writer.js';
import { UNMAPPED_FILE } from './manifest.js';
import { mapRecordToRow } from './map-record.js';
import { sampleContentHash } from './sample-hash.js';
import type { OutputSpec } from './output-spec.js';
import type { OutputTemplates } from './output-templates.js';
import { hashUnit, StratifiedSplits, stratumOf, type SplitFractions } from './split-assigner.js';

export const SPILL_FILE = '.spill.jsonl';
const MAX_EXAMPLES = 5;

/**
 * One line of the spill file: this metadata as JSON, a tab, then the row's JSON exactly as the data
 * files will hold it (JSON text never contains a raw tab, so the first tab splits the two).
 */
export interface SpillMeta {
  id: string;
  seedId: string;
  steps: LineageEntry[];
  /** Hash of the row without its id: what `diff` compares. */
  contentHash: string;
  stratum?: string;
}

export function parseSpillLine(line: string): { meta: SpillMeta; rowJson: string } {
  const tab = line.indexOf('\t');
  return { meta: JSON.parse(line.slice(0, tab)) as SpillMeta, rowJson: line.slice(tab + 1) };
}

export interface SpillResult {
  path: string;
  rows: number;
  columns: ColumnSpec[];
  unmapped: number;
  unmappedExamples: string[];
  stratified?: StratifiedSplits;
}

export async function spillRows(
  stagingDir: string,
  input: { records: AsyncIterable<DataRecord>; output: OutputSpec; templates: OutputTemplates; vectorColumns?: readonly string[] },
): Promise<SpillResult> {
  const { output, templates } = input;
  const tracker = new ColumnTracker(DATASET_FORMATS[output.format].columns, input.vectorColumns ? { vectorColumns: input.vectorColumns } : {});
  const stratified = output.stratify_by ? new StratifiedSplits(splitFractionsOf(output)) : undefined;
  const path = join(stagingDir, SPILL_FILE);
  const spill = new JsonlFileWriter(path);
  let unmappedFile: JsonlFileWriter | undefined;
  const result: SpillResult = { path, rows: 0, columns: [], unmapped: 0, unmappedExamples: [], ...(stratified ? { stratified } : {}) };
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
      const fileRow = fileRowOf(DATASET_FORMATS[output.format], mapped.row);
      tracker.observe(fileRow);
      const stratum = output.stratify_by ? stratumOf(record.fields, output.stratify_by) : undefined;
      if (stratum !== undefined) stratified!.add(stratum, hashUnit(mapped.row.id));
      const meta: SpillMeta = {
        id: mapped.row.id,
        seedId: record.seedId,
        steps: record.lineage,
        contentHash: sampleContentHash(mapped.row),
        ...(stratum === undefined ? {} : { stratum }),
      };
      await spill.write(`${JSON.stringify(meta)}\t${JSON.stringify(fileRow)}\n`);
      result.rows++;
    }
  } catch (error) {
    spill.abort();
    unmappedFile?.abort();
    throw error;
  }
  await spill.close();
  await unmappedFile?.close();
  result.columns = tracker.columns();
  return result;
}

export function splitFractionsOf(output: OutputSpec): SplitFractions {
  return Object.entries(output.splits);
}

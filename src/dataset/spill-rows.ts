/**
 * Pass 1 of writing a version: every record is mapped to a row of the output format and checked,
 * and the row goes to a spill file inside the staging folder with what pass 2 needs (its lineage,
 * content hash and stratum). Pass 1 learns what must be known before the first file is written:
 * the column types (Parquet needs its schema up front) and, for stratified splits, every stratum's
 * ranking. Memory holds the column kinds and, when stratifying, one double per record, never rows.
 */
import { join } from 'node:path';
import type { DataRecord } from '../domain.js';
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
 * One line of the spill file: tab-separated fields, the row's JSON last, exactly as the data files
 * will hold it (JSON text never contains a raw tab). The lineage fields are kept as the JSON text
 * their lineage.jsonl line is made of, so pass 2 parses only the id (and the stratum).
 */
export interface SpillLine {
  id: string;
  /** `JSON.stringify` of the id, the seed id and the record's lineage (undefined for an absent value). */
  idJson: string;
  seedIdJson: string | undefined;
  stepsJson: string | undefined;
  /** Hash of the row without its id: what `diff` compares. */
  contentHash: string;
  stratum?: string;
  rowJson: string;
}

function spillLineOf(idJson: string, seedIdJson: string | undefined, stepsJson: string | undefined, contentHash: string, stratum: string | undefined, rowJson: string): string {
  // An absent value is an empty field; no JSON text is empty.
  return `${idJson}\t${seedIdJson ?? ''}\t${stepsJson ?? ''}\t${contentHash}\t${stratum === undefined ? '' : JSON.stringify(stratum)}\t${rowJson}\n`;
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

/**
 * The record's line of lineage.jsonl, as `JSON.stringify({ id, seed_id, split, content_hash, steps })`
 * writes it, put together from the spilled JSON text (an absent value leaves its key out, as there).
 */
export function lineageLineOf(spilled: SpillLine, split: string): string {
  const seedId = spilled.seedIdJson === undefined ? '' : `,"seed_id":${spilled.seedIdJson}`;
  const steps = spilled.stepsJson === undefined ? '' : `,"steps":${spilled.stepsJson}`;
  return `{"id":${spilled.idJson}${seedId},"split":${JSON.stringify(split)},"content_hash":${JSON.stringify(spilled.contentHash)}${steps}}\n`;
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
  // Read back once and deleted: nothing needs its digest.
  const spill = new JsonlFileWriter(path, { digest: false });
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
      const { id } = mapped.row;
      await spill.write(spillLineOf(JSON.stringify(id), JSON.stringify(record.seedId), JSON.stringify(record.lineage), sampleContentHash(mapped.row), stratum, JSON.stringify(fileRow)));
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

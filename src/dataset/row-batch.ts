/**
 * Pass 1's work on a batch of records, up to what only the writing thread may do: each record is
 * mapped to a row of the output format, checked, serialised (row JSON and content hash, one walk),
 * its split or stratum found and its lineage line made. It runs on the calling thread or on a write
 * thread (row-worker.ts) alike; what it returns is plain data (strings and typed arrays, cheap to
 * hand between threads) that spillRows writes in record order: the shards, lineage, the spill and
 * unmapped files, the column kinds. Only rows whose kinds the batch had not seen carry them
 * (`observed`): a row that changes nothing a fresh tracker learnt from the rows before it in the
 * batch changes nothing the writer's tracker learnt from every row before it either (the kinds
 * only ever join), so the writer merges those alone, in order, and its columns (and when it says
 * they changed) are those of observing every row.
 */
import type { DataRecord } from '../domain.js';
import { ColumnTracker, type ColumnObservation } from './column-kinds.js';
import { lineageLineOf, type LineageText } from './data-file-sink.js';
import { DATASET_FORMATS } from './formats/dataset-formats.js';
import { mapRecordToRow } from './map-record.js';
import type { OutputSpec } from './output-spec.js';
import type { OutputTemplates } from './output-templates.js';
import { decodedLinesOf } from './line-chunks.js';
import { quote, serializeRow } from './sample-hash.js';
import { hashUnit, splitOfUnit, stratumOf, type SplitFractions } from './split-assigner.js';

/** What a batch of records became, in record order. Row r is the r-th record that mapped. */
export interface RowBatch {
  records: number;
  /** Per record: 1 when the format could not take it (its line is in `unmappedLines`), else 0. */
  unmapped: Uint8Array<ArrayBuffer>;
  /** Per row: its data-file JSON, or (stratified) its line of the spill file. */
  texts: string[];
  /** Per row, unless stratified: its line of lineage.jsonl. */
  lineage: string[];
  /** Per row, unless stratified: its split, an index into the output's splits. */
  splits: Uint16Array<ArrayBuffer>;
  /** Per row, when stratified: its stratum and hash unit. */
  strata: string[];
  units: Float64Array<ArrayBuffer>;
  /** Per unmapped record: its line of unmapped.jsonl, and the example the manifest may quote. */
  unmappedLines: string[];
  unmappedExamples: string[];
  /** The rows (by row number) that showed the batch a column or kind it had not seen, with their kinds. */
  observed: [row: number, kinds: ColumnObservation][];
  /**
   * `texts` and `lineage` as UTF-8 lines (a row's JSON with its newline), `texts` and `lineage` then
   * left empty: a write thread's batch, so that the writing thread copies bytes instead of taking
   * strings (each a copy into its heap, to collect later) and encoding them.
   */
  encoded?: EncodedRows;
}

/** Line r of `texts` is texts[textEnds[r - 1] ?? 0, textEnds[r]); lineage likewise. */
export interface EncodedRows {
  texts: Uint8Array<ArrayBuffer>;
  textEnds: Uint32Array<ArrayBuffer>;
  lineage: Uint8Array<ArrayBuffer>;
  lineageEnds: Uint32Array<ArrayBuffer>;
}

export interface RowBatchSpec {
  output: OutputSpec;
  templates: OutputTemplates;
  vectorColumns?: readonly string[];
}

/** Maps batches of records for one version: the same spec, batch after batch. */
export class RowBatcher {
  private readonly format;
  private readonly fractions: SplitFractions;
  private readonly splitJson: string[];

  constructor(private readonly spec: RowBatchSpec) {
    this.format = DATASET_FORMATS[spec.output.format];
    this.fractions = splitFractionsOf(spec.output);
    this.splitJson = this.fractions.map(([name]) => JSON.stringify(name));
  }

  /** A record that throws (not one the format refuses: that one is unmapped) throws here, as in spillRows. */
  map(records: Iterable<DataRecord>, options: { encode?: boolean } = {}): RowBatch {
    const { output, templates, vectorColumns } = this.spec;
    const { format, fractions } = this;
    const stratifyBy = output.stratify_by;
    const except = format.writesId ? undefined : 'id';
    const tracker = new ColumnTracker(format.columns, vectorColumns ? { vectorColumns } : {});
    const unmapped: number[] = [];
    const texts: string[] = [];
    const lineage: string[] = [];
    const splits: number[] = [];
    const strata: string[] = [];
    const units: number[] = [];
    const unmappedLines: string[] = [];
    const unmappedExamples: string[] = [];
    const observed: RowBatch['observed'] = [];
    for (const record of records) {
      const mapped = mapRecordToRow(output.format, record, templates);
      if (!mapped.ok) {
        unmapped.push(1);
        unmappedLines.push(unmappedLineOf(record, mapped.problems));
        unmappedExamples.push(`${record.source ?? record.id}: ${mapped.problems.join('; ')}`);
        continue;
      }
      unmapped.push(0);
      if (tracker.observe(mapped.row, except)) observed.push([texts.length, tracker.kindsOf(mapped.row, except)]);
      const { id } = mapped.row;
      const unit = hashUnit(id);
      const { json: rowJson, contentHash } = serializeRow(mapped.row, format.writesId);
      const text: LineageText = { idJson: quote(id), seedIdJson: JSON.stringify(record.seedId), stepsJson: JSON.stringify(record.lineage), contentHash };
      if (stratifyBy === undefined) {
        const split = splitIndexOfUnit(unit, fractions);
        texts.push(rowJson);
        lineage.push(lineageLineOf(text, this.splitJson[split]!));
        splits.push(split);
        continue;
      }
      const stratum = stratumOf(record.fields, stratifyBy);
      texts.push(spillLineOf(text, stratum, rowJson));
      strata.push(stratum);
      units.push(unit);
    }
    const encoded = options.encode ? { texts: encodeLines(texts, stratifyBy === undefined), lineage: encodeLines(lineage, false) } : undefined;
    return {
      records: unmapped.length,
      unmapped: Uint8Array.from(unmapped),
      texts: encoded ? [] : texts,
      lineage: encoded ? [] : lineage,
      splits: Uint16Array.from(splits),
      strata,
      units: Float64Array.from(units),
      unmappedLines,
      unmappedExamples,
      observed,
      ...(encoded
        ? { encoded: { texts: encoded.texts.bytes, textEnds: encoded.texts.ends, lineage: encoded.lineage.bytes, lineageEnds: encoded.lineage.ends } }
        : {}),
    };
  }
}

/** The lines as UTF-8 in one buffer of its own (transferable), a newline added to each when `newline`, and where each ends. */
function encodeLines(lines: readonly string[], newline: boolean): { bytes: Uint8Array<ArrayBuffer>; ends: Uint32Array<ArrayBuffer> } {
  const extra = newline ? 1 : 0;
  let length = 0;
  for (const line of lines) length += Buffer.byteLength(line) + extra;
  const bytes = new Uint8Array(length);
  const buffer = Buffer.from(bytes.buffer);
  const ends = new Uint32Array(lines.length);
  let offset = 0;
  for (let index = 0; index < lines.length; index++) {
    offset += buffer.write(lines[index]!, offset);
    if (newline) buffer[offset++] = 10;
    ends[index] = offset;
  }
  return { bytes, ends };
}

export function splitFractionsOf(output: OutputSpec): SplitFractions {
  return Object.entries(output.splits);
}

/** splitOfUnit's split, as its index. */
function splitIndexOfUnit(unit: number, fractions: SplitFractions): number {
  const name = splitOfUnit(unit, fractions);
  for (let index = 0; index < fractions.length; index++) if (fractions[index]![0] === name) return index;
  return fractions.length - 1;
}

/** `source` (where the record was read) lets a person find the record without our internal ids. */
function unmappedLineOf(record: DataRecord, problems: string[]): string {
  return `${JSON.stringify({ id: record.id, seed_id: record.seedId, ...(record.source ? { source: record.source } : {}), problems })}\n`;
}

/**
 * One line of the spill file: tab-separated fields, the row's JSON last, exactly as the data files
 * will hold it (JSON text never contains a raw tab). The lineage fields are kept as the JSON text
 * their lineage.jsonl line is made of, so pass 2 parses only the id (and the stratum).
 */
export function spillLineOf(lineage: LineageText, stratum: string | undefined, rowJson: string): string {
  // An absent value is an empty field; no JSON text is empty.
  return `${lineage.idJson}\t${lineage.seedIdJson ?? ''}\t${lineage.stepsJson ?? ''}\t${lineage.contentHash}\t${stratum === undefined ? '' : JSON.stringify(stratum)}\t${rowJson}\n`;
}

/**
 * The records of a chunk of whole stage lines, as readJsonLines (engine/stage-files.ts) reads a
 * stage file: cut at LF, a CR before it dropped, empty lines skipped, each line JSON.parse'd (a line
 * that is not JSON throws its SyntaxError when its turn comes).
 */
export function* recordsOfLines(chunk: Uint8Array): Generator<DataRecord> {
  for (const line of decodedLinesOf(chunk)) if (line !== '') yield JSON.parse(line) as DataRecord;
}

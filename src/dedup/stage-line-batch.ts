import { open } from 'node:fs/promises';
import { DEDUP_FIELD_SEPARATOR, dedupTextOf } from './dedup-text.js';
import type { DocumentSketcher, SketchBatch } from './document-sketcher.js';
import type { StageRecordLocator } from './stage-record-locator.js';

/**
 * Stage lines (one JSON record per line, `{ id, fields, … }`) as a dedup stream reads them: a batch
 * of whole lines in one buffer, cut into lines and turned into what the text deduplication needs
 * (each record's id and compared text) by parseStageLines. A sketch worker runs sketchStageLines
 * on the raw bytes instead (sketch-worker.ts): the same ids and failed lines, the texts read and
 * normalised from the bytes where it can and sketched as they are read, so reading the records, the
 * biggest per-record cost the calling thread had, runs in parallel and mostly without JSON.parse;
 * without workers the calling thread runs sketchStageLines too. parseStageLines is its reference
 * (tests, bench/stage-line-sketch.ts).
 */

/** The lines of a batch and what parsing them gave: line i is bytes[starts[i], ends[i]). */
export interface StageLines {
  count: number;
  starts: Uint32Array<ArrayBuffer>;
  ends: Uint32Array<ArrayBuffer>;
  /**
   * 1 when the line could not be deduplicated as it is (not JSON, no compared field, …): the caller
   * handles it again on its own thread (its error or its reject is the caller's to produce).
   */
  failed: Uint8Array<ArrayBuffer>;
  /** The record id of every line not failed, in line order. */
  ids: unknown[];
}

/** StageLines plus the compared text of each line not failed (the documents of the batch, in order). */
export interface ParsedStageLines extends StageLines {
  texts: string[];
}

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Cuts `bytes` into lines as readFileLineBytes does (a CR before the LF dropped, empty lines
 * skipped, the last line may lack its newline) and parses each: `fields` are the dedup spec's
 * compared field paths (dedupTextOf). The reference for sketchStageLines, and its fallback.
 */
export function parseStageLines(bytes: Uint8Array, fields: readonly string[]): ParsedStageLines {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { count, starts, ends } = cutLines(text);
  const failed = new Uint8Array(count);
  const ids: unknown[] = [];
  const texts: string[] = [];
  const spec = { fields: fields as string[] };
  for (let line = 0; line < count; line++) {
    const parsed = parseLine(text, starts[line]!, ends[line]!, spec);
    if (parsed === undefined) {
      failed[line] = 1;
      continue;
    }
    ids.push(parsed.id);
    texts.push(parsed.text);
  }
  return { count, starts, ends, failed, ids, texts };
}

/**
 * parseStageLines and the sketches of the documents, without JSON.parse of each record where it
 * can (what a sketch worker runs): the locator finds the id and the compared values in the line's
 * bytes (stage-record-locator.ts) and an ASCII string is normalised where it lies, its contents
 * checked by that scan; a line either is unsure of is parsed and its text built as parseStageLines
 * does, so ids, failed lines and sketches are the same (the batch's document i is the i-th line not failed).
 */
export function sketchStageLines(
  bytes: Uint8Array,
  fields: readonly string[],
  sketcher: DocumentSketcher,
  locator: StageRecordLocator,
  options: { sharedBandKeys?: boolean } = {},
): { lines: StageLines; batch: SketchBatch } {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { count, starts, ends } = cutLines(text);
  const fieldCount = fields.length;
  const failed = new Uint8Array(count);
  const ids: unknown[] = [];
  const spec = { fields: fields as string[] };
  const normalizeLine = (line: number): boolean => {
    const start = starts[line]!;
    const end = ends[line]!;
    if (locator.locate(text, start, end)) {
      const normalized = locator.allSpans ? sketcher.normalizeJsonAscii(text, locator.spanStarts, locator.spanEnds, 0, fieldCount) : normalizeLocated(text, locator, sketcher);
      if (normalized) {
        ids.push(locator.id);
        return true;
      }
    }
    const parsed = parseLine(text, start, end, spec);
    if (parsed === undefined) {
      failed[line] = 1;
      return false;
    }
    sketcher.normalize(parsed.text);
    ids.push(parsed.id);
    return true;
  };
  const batch = sketcher.sketchInputs(count, normalizeLine, options);
  return { lines: { count, starts, ends, failed, ids }, batch };
}

/** A located line with some field decoded: every field decoded, joined as dedupTextOf does, then normalised; false when a span is no valid string. */
function normalizeLocated(text: Buffer, locator: StageRecordLocator, sketcher: DocumentSketcher): boolean {
  let joined: string;
  try {
    joined = locator.texts.map((decoded, field) => decoded ?? (JSON.parse(text.toString('utf8', locator.spanStarts[field]! - 1, locator.spanEnds[field]! + 1)) as string)).join(DEDUP_FIELD_SEPARATOR);
  } catch {
    return false;
  }
  sketcher.normalize(joined);
  return true;
}

/** One record's id and compared text by JSON.parse and dedupTextOf; undefined when either fails. */
function parseLine(text: Buffer, start: number, end: number, spec: { fields: string[] }): { id: unknown; text: string } | undefined {
  try {
    const record = JSON.parse(text.toString('utf8', start, end)) as { id: unknown; fields: Record<string, unknown> };
    return { text: dedupTextOf(record.fields, spec), id: record.id };
  } catch {
    return undefined;
  }
}

function cutLines(text: Buffer): { count: number; starts: Uint32Array<ArrayBuffer>; ends: Uint32Array<ArrayBuffer> } {
  let capacity = 1024;
  let starts = new Uint32Array(capacity);
  let ends = new Uint32Array(capacity);
  let count = 0;
  for (let start = 0; start < text.length; ) {
    let newline = text.indexOf(NEWLINE, start);
    if (newline === -1) newline = text.length;
    const end = newline > start && text[newline - 1] === CR ? newline - 1 : newline;
    if (end > start) {
      if (count === capacity) {
        capacity *= 2;
        starts = grown(starts, capacity);
        ends = grown(ends, capacity);
      }
      starts[count] = start;
      ends[count] = end;
      count++;
    }
    start = newline + 1;
  }
  return { count, starts: starts.slice(0, count), ends: ends.slice(0, count) };
}

function grown(array: Uint32Array<ArrayBuffer>, capacity: number): Uint32Array<ArrayBuffer> {
  const copy = new Uint32Array(capacity);
  copy.set(array);
  return copy;
}

/**
 * Batches of whole lines of the file at `path`, each read straight into a buffer of its own (so it
 * can be transferred to a worker without a copy): a batch ends after the last newline a read
 * brought, and the end of the line it cut starts the next batch (the only bytes copied).
 */
export async function* readStageLineBatches(path: string, batchBytes = 1 << 20): AsyncIterable<Uint8Array<ArrayBuffer>> {
  const file = await open(path, 'r');
  try {
    let rest = new Uint8Array(0);
    for (;;) {
      const bytes = new Uint8Array(Buffer.allocUnsafeSlow(rest.length + batchBytes).buffer);
      bytes.set(rest);
      const { bytesRead } = await file.read(bytes, rest.length, batchBytes, null);
      const filled = rest.length + bytesRead;
      if (bytesRead === 0) {
        if (filled > 0) yield bytes.subarray(0, filled);
        return;
      }
      const last = bytes.lastIndexOf(NEWLINE, filled - 1);
      if (last === -1) {
        rest = bytes.subarray(0, filled);
        continue;
      }
      // Copied before the batch is handed on: a transferred buffer is detached, views included.
      rest = bytes.slice(last + 1, filled);
      yield bytes.subarray(0, last + 1);
    }
  } finally {
    await file.close();
  }
}

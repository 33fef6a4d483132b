import { dedupTextOf } from './dedup-text.js';

/**
 * Stage lines (one JSON record per line, `{ id, fields, … }`) as a dedup stream reads them: a batch
 * of whole lines in one buffer, cut into lines and turned into what the text deduplication needs
 * (each record's id and compared text) by parseStageLines. A sketch worker runs it on the raw bytes
 * (sketch-worker.ts), so parsing the whole record, the biggest per-record cost the calling thread
 * had, runs in parallel; without workers the calling thread runs the same function.
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
 * compared field paths (dedupTextOf).
 */
export function parseStageLines(bytes: Uint8Array, fields: readonly string[]): ParsedStageLines {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
  const failed = new Uint8Array(count);
  const ids: unknown[] = [];
  const texts: string[] = [];
  const spec = { fields: fields as string[] };
  for (let line = 0; line < count; line++) {
    try {
      const record = JSON.parse(text.toString('utf8', starts[line], ends[line])) as { id: unknown; fields: Record<string, unknown> };
      texts.push(dedupTextOf(record.fields, spec));
      ids.push(record.id);
    } catch {
      failed[line] = 1;
    }
  }
  return { count, starts: starts.slice(0, count), ends: ends.slice(0, count), failed, ids, texts };
}

function grown(array: Uint32Array<ArrayBuffer>, capacity: number): Uint32Array<ArrayBuffer> {
  const copy = new Uint32Array(capacity);
  copy.set(array);
  return copy;
}

/**
 * Batches of whole lines from a byte stream (a file read in chunks): each batch is a buffer of its
 * own (transferable to a worker), cut after the last newline of a chunk; the end of a line a chunk
 * cut is carried into the next batch.
 */
export async function* stageLineBatches(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array<ArrayBuffer>> {
  let rest: Uint8Array = new Uint8Array(0);
  for await (const chunk of chunks) {
    const last = chunk.lastIndexOf(NEWLINE);
    if (last === -1) {
      rest = joined(rest, chunk, chunk.length);
      continue;
    }
    yield joined(rest, chunk, last + 1);
    rest = chunk.subarray(last + 1);
  }
  if (rest.length > 0) yield joined(rest, rest.subarray(0, 0), 0);
}

function joined(head: Uint8Array, chunk: Uint8Array, length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(head.length + length);
  bytes.set(head);
  bytes.set(chunk.subarray(0, length), head.length);
  return bytes;
}

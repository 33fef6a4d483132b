import { createReadStream } from 'node:fs';

/** Bytes read per chunk: Node's 64 KiB default makes a reader wait on the disk every few dozen lines. */
const CHUNK_BYTES = 1 << 20;

/**
 * The lines of a file we wrote ourselves (JSONL: no raw CR or LF inside a line), without their
 * newline, empty lines included. Lines are cut on the bytes and decoded one by one: a newline byte
 * never occurs inside a multi-byte UTF-8 character, so this decodes exactly as a whole-file read
 * would, and costs a third of `readline`, which scans decoded text with a regular expression and
 * also takes a lone CR for a line break (never present in what JSON.stringify writes).
 */
export function readFileLines(path: string): AsyncIterable<string> {
  // Decoded straight from the chunk: no view made per line, no second generator to pass it through.
  // The file is opened when iteration starts, as a generator's body would.
  return { [Symbol.asyncIterator]: () => cutLines(createReadStream(path, { highWaterMark: CHUNK_BYTES }), decodeLine)[Symbol.asyncIterator]() };
}

/**
 * The same lines as bytes: views of the chunks read (only a line two chunks cut is copied), for a
 * reader that writes a line back as it was read. A CRLF file reads as its LF twin.
 */
export function readFileLineBytes(path: string): AsyncIterable<Buffer> {
  return splitLines(createReadStream(path, { highWaterMark: CHUNK_BYTES }));
}

/**
 * The lines of any byte stream (a file, an HTTP body), cut on the bytes as `readFileLines` does:
 * views of the chunks, a CR before the LF dropped, the last line yielded without its newline.
 */
export function splitLines(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Buffer> {
  return cutLines(chunks, withoutCr);
}

/** `lineOf(bytes, start, end)` makes each line (newline excluded) of the bytes it is given. */
async function* cutLines<Line>(chunks: AsyncIterable<Uint8Array>, lineOf: LineOf<Line>): AsyncIterable<Line> {
  const carry: LineCarry = {};
  for await (const bytes of chunks) yield* chunkLines(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), carry, lineOf);
  yield* lastLine(carry, lineOf);
}

export type LineOf<Line> = (bytes: Buffer, start: number, end: number) => Line;

/** The end of a chunk that holds no newline yet: the start of the next chunk's first line. */
export interface LineCarry {
  rest?: Buffer;
}

/**
 * The lines a chunk completes, each made by `lineOf` (newline excluded), for a reader fed chunk by
 * chunk; what follows the chunk's last newline waits in `carry`. Only a line two chunks cut is
 * copied, never the rest of a chunk.
 */
export function* chunkLines<Line>(chunk: Buffer, carry: LineCarry, lineOf: LineOf<Line>): Generator<Line> {
  let start = 0;
  if (carry.rest) {
    const newline = chunk.indexOf(10);
    if (newline === -1) {
      carry.rest = Buffer.concat([carry.rest, chunk]);
      return;
    }
    const line = Buffer.concat([carry.rest, chunk.subarray(0, newline)]);
    carry.rest = undefined;
    yield lineOf(line, 0, line.length);
    start = newline + 1;
  }
  for (let newline = chunk.indexOf(10, start); newline !== -1; newline = chunk.indexOf(10, start)) {
    yield lineOf(chunk, start, newline);
    start = newline + 1;
  }
  if (start < chunk.length) carry.rest = chunk.subarray(start);
}

/** The last line, when the input did not end with a newline. */
export function* lastLine<Line>(carry: LineCarry, lineOf: LineOf<Line>): Generator<Line> {
  const rest = carry.rest;
  carry.rest = undefined;
  if (rest) yield lineOf(rest, 0, rest.length);
}

function withoutCr(bytes: Buffer, start: number, end: number): Buffer {
  return bytes.subarray(start, end > start && bytes[end - 1] === 13 ? end - 1 : end);
}

/** A line's text, a CR before its LF dropped. */
export function decodeLine(bytes: Buffer, start: number, end: number): string {
  return bytes.toString('utf8', start, end > start && bytes[end - 1] === 13 ? end - 1 : end);
}

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
export async function* readFileLines(path: string): AsyncIterable<string> {
  for await (const line of readFileLineBytes(path)) yield line.toString('utf8');
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
export async function* splitLines(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Buffer> {
  let rest: Buffer | undefined;
  for await (const bytes of chunks) {
    const chunk = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let start = 0;
    if (rest) {
      // Only the line the previous chunk cut is copied, never the rest of this chunk.
      const newline = chunk.indexOf(10);
      if (newline === -1) {
        rest = Buffer.concat([rest, chunk]);
        continue;
      }
      const line = Buffer.concat([rest, chunk.subarray(0, newline)]);
      rest = undefined;
      yield withoutCr(line, 0, line.length);
      start = newline + 1;
    }
    for (let newline = chunk.indexOf(10, start); newline !== -1; newline = chunk.indexOf(10, start)) {
      yield withoutCr(chunk, start, newline);
      start = newline + 1;
    }
    if (start < chunk.length) rest = chunk.subarray(start);
  }
  if (rest) yield withoutCr(rest, 0, rest.length);
}

function withoutCr(bytes: Buffer, start: number, end: number): Buffer {
  return bytes.subarray(start, end > start && bytes[end - 1] === 13 ? end - 1 : end);
}

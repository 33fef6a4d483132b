/**
 * Raw result files handed over as bytes, whole lines at a time, so that the thread that reads them
 * never decodes a line (collect's worker threads do: engine/collect-worker.ts).
 */
import { chunkLines, lastLine, type LineCarry } from './read-file-lines.js';

/**
 * The bytes of a stream cut at line ends: each chunk yielded holds whole lines (the stream's last
 * may lack its newline). Chunks are views of what was read; only a line two reads cut is copied.
 */
export async function* wholeLineChunks(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  let rest: Uint8Array | undefined;
  for await (const chunk of chunks) {
    const cut = chunk.lastIndexOf(10);
    if (cut === -1) {
      rest = rest ? Buffer.concat([rest, chunk]) : chunk;
      continue;
    }
    const head = chunk.subarray(0, cut + 1);
    yield rest ? Buffer.concat([rest, head]) : head;
    rest = cut + 1 < chunk.length ? chunk.subarray(cut + 1) : undefined;
  }
  if (rest) yield rest;
}

/**
 * The lines of a chunk of whole lines as text, as readBodyLines (providers/read-lines.ts) cuts a
 * body: at LF, a CR before it dropped, blank lines (whitespace only) left out.
 */
export function textLinesOf(chunk: Uint8Array): string[] {
  const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const carry: LineCarry = {};
  const lines: string[] = [];
  for (const line of chunkLines(bytes, carry, decodeLine)) if (line.trim() !== '') lines.push(line);
  for (const line of lastLine(carry, decodeLine)) if (line.trim() !== '') lines.push(line);
  return lines;
}

function decodeLine(bytes: Buffer, start: number, end: number): string {
  return bytes.toString('utf8', start, end > start && bytes[end - 1] === 13 ? end - 1 : end);
}

/**
 * The parts in one buffer of its own, transferable to a thread: never a view of Node's shared pool,
 * of a read chunk, or of memory a provider reuses.
 */
export function concatenated(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const part of parts) length += part.length;
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/**
 * Raw result files handed over as bytes, whole lines at a time, so that the thread that reads them
 * never decodes a line (collect's worker threads do: engine/collect-worker.ts).
 */
import { chunkLines, decodeLine, lastLine, type LineCarry } from './read-file-lines.js';

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
    let start = 0;
    if (rest) {
      // Only the line the reads cut is joined: the rest of this read goes on as a view, not copied.
      start = chunk.indexOf(10) + 1;
      yield Buffer.concat([rest, chunk.subarray(0, start)]);
    }
    if (start <= cut) yield chunk.subarray(start, cut + 1);
    rest = cut + 1 < chunk.length ? chunk.subarray(cut + 1) : undefined;
  }
  if (rest) yield rest;
}

/** The lines of a chunk of whole lines, decoded (cut at LF, a CR before it dropped), empty ones included. */
export function* decodedLinesOf(chunk: Uint8Array): Generator<string> {
  const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const carry: LineCarry = {};
  yield* chunkLines(bytes, carry, decodeLine);
  yield* lastLine(carry, decodeLine);
}

/**
 * The lines of a chunk of whole lines as text, as readBodyLines (providers/read-lines.ts) cuts a
 * body: at LF, a CR before it dropped, blank lines (whitespace only) left out.
 */
export function textLinesOf(chunk: Uint8Array): string[] {
  const lines: string[] = [];
  for (const line of decodedLinesOf(chunk)) if (line.trim() !== '') lines.push(line);
  return lines;
}

/** Where a batch's bytes go: a buffer of its own by default (transferable to a thread). */
export type BatchAllocator<Memory extends ArrayBufferLike> = (length: number) => Uint8Array<Memory>;

const ownBuffer: BatchAllocator<ArrayBuffer> = (length) => new Uint8Array(length);

/**
 * The parts in one buffer of its own, transferable to a thread: never a view of Node's shared pool,
 * of a read chunk, or of memory a provider reuses. `allocate` may place it elsewhere (memory shared
 * with the threads, reused batch after batch).
 */
export function concatenated(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer>;
export function concatenated<Memory extends ArrayBufferLike>(parts: readonly Uint8Array[], allocate: BatchAllocator<Memory>): Uint8Array<Memory>;
export function concatenated(parts: readonly Uint8Array[], allocate: BatchAllocator<ArrayBufferLike> = ownBuffer): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const joined = allocate(length);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/**
 * Chunks of whole lines regrouped into buffers of their own (transferable; `allocate`'s when given)
 * of about `batchBytes`, cut at line ends. What is held between chunks is copied: the reader may
 * reuse its memory.
 */
export function lineBatches(chunks: AsyncIterable<Uint8Array>, batchBytes: number): AsyncIterable<Uint8Array<ArrayBuffer>>;
export function lineBatches<Memory extends ArrayBufferLike>(chunks: AsyncIterable<Uint8Array>, batchBytes: number, allocate: BatchAllocator<Memory>): AsyncIterable<Uint8Array<Memory>>;
export async function* lineBatches(chunks: AsyncIterable<Uint8Array>, batchBytes: number, allocate: BatchAllocator<ArrayBufferLike> = ownBuffer): AsyncIterable<Uint8Array> {
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  for await (const chunk of chunks) {
    let start = 0;
    while (heldBytes + chunk.length - start >= batchBytes) {
      const cut = chunk.lastIndexOf(10, start + batchBytes - heldBytes - 1);
      if (cut < start) break;
      yield concatenated([...held, chunk.subarray(start, cut + 1)], allocate);
      held = [];
      heldBytes = 0;
      start = cut + 1;
    }
    if (start === chunk.length) continue;
    held.push(chunk.slice(start));
    heldBytes += chunk.length - start;
    if (heldBytes < batchBytes) continue;
    yield concatenated(held, allocate);
    held = [];
    heldBytes = 0;
  }
  if (heldBytes > 0) yield concatenated(held, allocate);
}


import { sortUnique } from './jaccard.js';

/**
 * Where the deduper keeps each indexed document's shingle hashes for exact verification: a growable
 * arena of int32 values in fixed 16 MiB chunks, plus three small per-document columns (position,
 * count, sorted flag). About 4 bytes per shingle + 9 bytes per document and no JavaScript object per
 * document: 1 M documents of ~146 shingles take ≈ 0.59 GB.
 *
 * Chunks, not one doubling array, because doubling a 0.5 GB array needs 1.5 GB for the copy; a chunk
 * is never copied. A document never straddles chunks (the tail of a chunk is left empty), and a
 * document larger than a chunk gets a chunk of its own. Position = chunk index × CHUNK_VALUES +
 * offset, so a Uint32Array addresses up to 1024 chunks (16 GiB).
 *
 * Runs are stored as they come and sorted (and de-duplicated) the first time a verification needs
 * them: most documents are never a candidate, so most are never sorted.
 */

const CHUNK_VALUES = 1 << 22;

export class ShingleArena {
  private readonly chunks: Int32Array[] = [];
  private chunkUsed = CHUNK_VALUES;
  private positions = new Uint32Array(1024);
  private counts = new Int32Array(1024);
  private sorted = new Uint8Array(1024);
  private documents = 0;

  get size(): number {
    return this.documents;
  }

  /** Stores `values[start, start + count)` as the next document and returns its number. */
  append(values: Int32Array, start: number, count: number, isSorted: boolean): number {
    const doc = this.documents++;
    if (doc >= this.positions.length) this.growColumns();
    if (this.chunks.length === 0 || count > CHUNK_VALUES - this.chunkUsed) this.startChunk(count);
    const chunkIndex = this.chunks.length - 1;
    const chunk = this.chunks[chunkIndex]!;
    const at = this.chunkUsed;
    chunk.set(values.subarray(start, start + count), at);
    this.positions[doc] = chunkIndex * CHUNK_VALUES + at;
    this.counts[doc] = count;
    this.sorted[doc] = isSorted ? 1 : 0;
    this.chunkUsed += count;
    return doc;
  }

  /** Sorts and de-duplicates the document's run in place (once). */
  ensureSorted(doc: number): void {
    if (this.sorted[doc] === 1) return;
    this.counts[doc] = sortUnique(this.chunkOf(doc), this.offsetOf(doc), this.counts[doc]!);
    this.sorted[doc] = 1;
  }

  chunkOf(doc: number): Int32Array {
    return this.chunks[Math.floor(this.positions[doc]! / CHUNK_VALUES)]!;
  }

  offsetOf(doc: number): number {
    return this.positions[doc]! % CHUNK_VALUES;
  }

  countOf(doc: number): number {
    return this.counts[doc]!;
  }

  get byteLength(): number {
    let bytes = this.positions.byteLength + this.counts.byteLength + this.sorted.byteLength;
    for (const chunk of this.chunks) bytes += chunk.byteLength;
    return bytes;
  }

  private startChunk(needed: number): void {
    if (this.chunks.length >= 1024) throw new RangeError('shingle arena is full (16 GiB of shingle hashes)');
    this.chunks.push(new Int32Array(Math.max(CHUNK_VALUES, needed)));
    this.chunkUsed = 0;
  }

  private growColumns(): void {
    const size = this.positions.length * 2;
    const positions = new Uint32Array(size);
    positions.set(this.positions);
    const counts = new Int32Array(size);
    counts.set(this.counts);
    const sorted = new Uint8Array(size);
    sorted.set(this.sorted);
    this.positions = positions;
    this.counts = counts;
    this.sorted = sorted;
  }
}

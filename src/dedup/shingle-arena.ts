import { sortUnique } from './jaccard.js';
import { closeSpillFile, openSpillFile, readAt, writeAt } from './spill-file.js';

/**
 * Where the deduper keeps each indexed document's shingle hashes for exact verification: int32
 * values in chunks, plus four small per-document columns (chunk, offset, count, sorted flag), about
 * 4 bytes per shingle + 13 bytes per document and no JavaScript object per document.
 *
 * Two ways in:
 * - `append` copies a run into the arena's own chunks of 16 MiB (or a quarter of the cap) (a document never straddles chunks; one
 *   larger than a chunk gets a chunk of its own). Chunks, not one doubling array, because doubling a
 *   0.5 GB array needs 1.5 GB for the copy. Runs are stored as they come and sorted the first time a
 *   verification needs them: most documents are never a candidate.
 * - `adopt` keeps a run where it already is: a worker's batch (document-sketcher.ts) arrives as
 *   one array of runs, and the arena takes that array as a chunk instead of copying it.
 *
 * Memory cap (`maxMemoryBytes`, the recipe's `max_index_mb`): once the chunks held exceed it, the
 * oldest are written to a temporary file and dropped; a spilled run is read back (one `pread`) only
 * when it is a candidate. Candidates are mostly recent documents, so few reads hit the file, and
 * those the page cache usually answers. The file is unlinked as soon as it is open, so nothing is
 * left behind when the process dies; closing the arena closes it.
 */

const CHUNK_VALUES = 1 << 22;

export interface ShingleArenaOptions {
  /** Bytes of shingle chunks kept in memory before the oldest move to a file (default: no limit). */
  maxMemoryBytes?: number;
  /** Where the spill file goes (default: the OS temp directory). */
  spillDirectory?: string;
}

export class ShingleArena {
  private readonly chunks: (Int32Array | undefined)[] = [];
  /** Values in use in each chunk, and the first document stored in it (its documents are consecutive). */
  private readonly chunkLengths: number[] = [];
  private readonly chunkFirstDocs: number[] = [];
  /** Byte position of each spilled chunk in the spill file. */
  private readonly chunkFilePositions: number[] = [];
  /** Whether the last chunk is the arena's own (append may write into it) rather than adopted. */
  private lastIsOwn = false;
  private chunkUsed = 0;
  private chunkIndexes = new Uint32Array(1024);
  private offsets = new Uint32Array(1024);
  private counts = new Int32Array(1024);
  private sorted = new Uint8Array(1024);
  private documents = 0;
  /** Chunks below this index have been spilled. */
  private firstHeld = 0;
  private heldBytes = 0;
  private spilled = 0;
  private spillFd: number | undefined;
  private scratch = new Int32Array(1024);
  private readonly maxMemoryBytes: number;
  /** Values per own chunk: a quarter of the cap at most, so spilling frees memory in steps the cap can see. */
  private readonly chunkValues: number;
  /** Where `view` found the last run: values[viewOffset, viewOffset + count). */
  viewOffset = 0;

  constructor(private readonly options: ShingleArenaOptions = {}) {
    this.maxMemoryBytes = options.maxMemoryBytes ?? Number.POSITIVE_INFINITY;
    this.chunkValues = Math.min(CHUNK_VALUES, Math.max(1 << 12, Math.floor(this.maxMemoryBytes / 16)));
  }

  get size(): number {
    return this.documents;
  }

  /** Copies `values[start, start + count)` in as the next document and returns its number. */
  append(values: Int32Array, start: number, count: number, isSorted: boolean): number {
    if (!this.lastIsOwn || count > this.chunkValues - this.chunkUsed) this.startChunk(new Int32Array(Math.max(this.chunkValues, count)), true);
    const chunkIndex = this.chunks.length - 1;
    const at = this.chunkUsed;
    this.chunks[chunkIndex]!.set(values.subarray(start, start + count), at);
    this.chunkUsed += count;
    this.chunkLengths[chunkIndex] = this.chunkUsed;
    return this.record(chunkIndex, at, count, isSorted);
  }

  /**
   * Takes `values[start, start + count)` as the next document without copying: `values` becomes a
   * chunk of the arena (once, however many runs it holds) and nobody else may change it afterwards
   * (the arena sorts its runs in place).
   */
  adopt(values: Int32Array, start: number, count: number, isSorted = true): number {
    if (this.chunks.length === 0 || this.lastIsOwn || this.chunks[this.chunks.length - 1] !== values) this.startChunk(values, false);
    return this.record(this.chunks.length - 1, start, count, isSorted);
  }

  /** Sorts and de-duplicates the document's run in place (once). */
  ensureSorted(doc: number): void {
    if (this.sorted[doc] === 1) return;
    // A spilled run was sorted before it was written, so this run is in memory.
    const chunk = this.chunks[this.chunkIndexes[doc]!]!;
    this.counts[doc] = sortUnique(chunk, this.offsets[doc]!, this.counts[doc]!);
    this.sorted[doc] = 1;
  }

  /** The array holding the document's run, which starts at `viewOffset`; valid until the next call. */
  view(doc: number): Int32Array {
    const chunkIndex = this.chunkIndexes[doc]!;
    const chunk = this.chunks[chunkIndex];
    if (chunk !== undefined) {
      this.viewOffset = this.offsets[doc]!;
      return chunk;
    }
    const count = this.counts[doc]!;
    if (this.scratch.length < count) this.scratch = new Int32Array(Math.max(count, this.scratch.length * 2));
    const bytes = new Uint8Array(this.scratch.buffer, 0, count * 4);
    readAt(this.spillFd!, bytes, this.chunkFilePositions[chunkIndex]! + this.offsets[doc]! * 4);
    this.viewOffset = 0;
    return this.scratch;
  }

  countOf(doc: number): number {
    return this.counts[doc]!;
  }

  /** Bytes held in memory: chunks not spilled plus the per-document columns. */
  get byteLength(): number {
    return this.heldBytes + this.chunkIndexes.byteLength + this.offsets.byteLength + this.counts.byteLength + this.sorted.byteLength;
  }

  /** Bytes moved to the spill file. */
  get spilledBytes(): number {
    return this.spilled;
  }

  /** Closes the spill file (the arena is unusable afterwards). */
  close(): void {
    closeSpillFile(this.spillFd);
    this.spillFd = undefined;
  }

  private record(chunkIndex: number, offset: number, count: number, isSorted: boolean): number {
    const doc = this.documents++;
    if (doc >= this.counts.length) this.growColumns();
    this.chunkIndexes[doc] = chunkIndex;
    this.offsets[doc] = offset;
    this.counts[doc] = count;
    this.sorted[doc] = isSorted ? 1 : 0;
    return doc;
  }

  private startChunk(chunk: Int32Array, own: boolean): void {
    this.chunks.push(chunk);
    this.chunkLengths.push(own ? 0 : chunk.length);
    this.chunkFirstDocs.push(this.documents);
    this.chunkFilePositions.push(-1);
    this.lastIsOwn = own;
    this.chunkUsed = 0;
    this.heldBytes += chunk.byteLength;
    // The newest chunk stays: it is being filled, and its documents are the likeliest candidates.
    while (this.heldBytes > this.maxMemoryBytes && this.firstHeld < this.chunks.length - 1) this.spill(this.firstHeld++);
  }

  private spill(chunkIndex: number): void {
    const chunk = this.chunks[chunkIndex]!;
    const lastDoc = chunkIndex + 1 < this.chunkFirstDocs.length ? this.chunkFirstDocs[chunkIndex + 1]! : this.documents;
    for (let doc = this.chunkFirstDocs[chunkIndex]!; doc < lastDoc; doc++) this.ensureSorted(doc);
    this.spillFd ??= openSpillFile(this.options.spillDirectory, 'shingles');
    const length = this.chunkLengths[chunkIndex]!;
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, length * 4);
    writeAt(this.spillFd, bytes, this.spilled);
    this.chunkFilePositions[chunkIndex] = this.spilled;
    this.spilled += bytes.length;
    this.heldBytes -= chunk.byteLength;
    this.chunks[chunkIndex] = undefined;
  }

  private growColumns(): void {
    const size = this.counts.length * 2;
    const chunkIndexes = new Uint32Array(size);
    chunkIndexes.set(this.chunkIndexes);
    const offsets = new Uint32Array(size);
    offsets.set(this.offsets);
    const counts = new Int32Array(size);
    counts.set(this.counts);
    const sorted = new Uint8Array(size);
    sorted.set(this.sorted);
    this.chunkIndexes = chunkIndexes;
    this.offsets = offsets;
    this.counts = counts;
    this.sorted = sorted;
  }
}

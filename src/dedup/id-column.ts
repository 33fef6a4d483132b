import { Buffer } from 'node:buffer';
import { closeSpillFile, openSpillFile, readAt, writeAt } from './spill-file.js';

/**
 * The record id of each document number, for naming a cluster's root as duplicateOf, bounded in
 * memory: ids are held in segments of SEGMENT_DOCS documents; once the held segments' estimated
 * bytes pass `maxBytes`, the oldest full segments go to a temporary file as [offsets][UTF-8 bytes]
 * and an id of a spilled segment is read back with two `pread`s (only for a dropped record whose
 * root is that old). What stays in memory per spilled segment is its file position.
 */

const SEGMENT_BITS = 12;
const SEGMENT_DOCS = 1 << SEGMENT_BITS;
/** V8's cost of a short string in an array: header, pointer and hash, beyond 1 or 2 bytes per char. */
const STRING_OVERHEAD = 24;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class IdColumn {
  /** Held segments by index (undefined once spilled). */
  private readonly segments: (string[] | undefined)[] = [];
  private readonly segmentBytes: number[] = [];
  private readonly filePositions: number[] = [];
  private firstHeld = 0;
  private heldBytes = 0;
  private fileEnd = 0;
  private fd: number | undefined;
  private readonly bounds = new Uint32Array(2);

  constructor(
    private readonly maxBytes = Number.POSITIVE_INFINITY,
    private readonly spillDirectory?: string,
  ) {}

  /** Appends the id of the next document. */
  push(id: string): void {
    let last = this.segments[this.segments.length - 1];
    if (last === undefined || last.length === SEGMENT_DOCS) {
      last = [];
      this.segments.push(last);
      this.segmentBytes.push(0);
      this.filePositions.push(-1);
    }
    last.push(id);
    const bytes = STRING_OVERHEAD + id.length * 2;
    this.segmentBytes[this.segments.length - 1]! += bytes;
    this.heldBytes += bytes;
    while (this.heldBytes > this.maxBytes && this.firstHeld < this.segments.length - 1) this.spill(this.firstHeld++);
  }

  get(doc: number): string {
    const index = doc >>> SEGMENT_BITS;
    const held = this.segments[index];
    if (held !== undefined) return held[doc & (SEGMENT_DOCS - 1)]!;
    const position = this.filePositions[index]!;
    const bounds = this.bounds;
    readAt(this.fd!, new Uint8Array(bounds.buffer), position + (doc & (SEGMENT_DOCS - 1)) * 4);
    const bytes = new Uint8Array(bounds[1]! - bounds[0]!);
    readAt(this.fd!, bytes, position + (SEGMENT_DOCS + 1) * 4 + bounds[0]!);
    return decoder.decode(bytes);
  }

  /** Estimated bytes of the ids held in memory. */
  get byteLength(): number {
    return this.heldBytes;
  }

  get spilledBytes(): number {
    return this.fileEnd;
  }

  close(): void {
    closeSpillFile(this.fd);
    this.fd = undefined;
  }

  private spill(index: number): void {
    const ids = this.segments[index]!;
    const encoded = encoder.encode(ids.join(''));
    const offsets = new Uint32Array(SEGMENT_DOCS + 1);
    // Byte offsets of each id inside the joined UTF-8 (a char's byte length depends on the char).
    let position = 0;
    for (let doc = 0; doc < ids.length; doc++) {
      offsets[doc] = position;
      position += Buffer.byteLength(ids[doc]!, 'utf8');
    }
    offsets[ids.length] = position;
    this.fd ??= openSpillFile(this.spillDirectory, 'ids');
    writeAt(this.fd, new Uint8Array(offsets.buffer), this.fileEnd);
    writeAt(this.fd, encoded, this.fileEnd + offsets.byteLength);
    this.filePositions[index] = this.fileEnd;
    this.fileEnd += offsets.byteLength + encoded.length;
    this.heldBytes -= this.segmentBytes[index]!;
    this.segments[index] = undefined;
  }
}

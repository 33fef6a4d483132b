import { closeSpillFile, openSpillFile, readAt, writeAt } from './spill-file.js';
import { createWasmVectorBlock } from './wasm/cosine-wasm.js';
import { JsVectorBlock, SCAN_TILE, type VectorBlock } from './vector-block.js';

/**
 * The kept unit vectors of semantic dedup, numbered 0, 1, 2… in insertion order, in a chain of
 * fixed-capacity blocks (vector-block.ts) of at most BLOCK_BYTES each: growing never copies more
 * than one block, and no single WebAssembly memory approaches its 4 GiB limit. 4·stride bytes per
 * vector and nothing else (1 KiB at 256 dimensions, 6 KiB at 1536).
 *
 * Memory cap (`maxMemoryBytes`, semantic dedup's share of `max_index_mb`, index-budget.ts): blocks
 * are then a quarter of the cap, and when a new block would take the blocks in memory past it, the
 * oldest full ones are written to a temporary file (spill-file.ts) and dropped, so the newest
 * vectors stay in memory. Spilled blocks are full and in order, so vector i lies at byte i·4·stride
 * of the file. Scans (forEachTile) read spilled vectors back in runs of READ_BYTES into one reusable
 * block and score them with the same kernel; a single spilled vector (an LSH candidate) is one
 * positioned read. The file holds the exact float32 bytes, so every similarity, and so every
 * verdict, is the one an unbounded store gives.
 */

const BLOCK_BYTES = 256 * 1024 * 1024;
/** Bytes read from the spill file at a time by a scan: large sequential reads, a few tiles each. */
const READ_BYTES = 8 * 1024 * 1024;

export interface VectorStoreOptions {
  /** WASM SIMD kernel when the runtime has it (default true); false forces the JavaScript kernel. */
  wasm?: boolean;
  /** Vectors per block (default: as many as fit BLOCK_BYTES, or a quarter of maxMemoryBytes); tests use small blocks. */
  blockCapacity?: number;
  /** Bytes of blocks held in memory (default unbounded); past it the oldest blocks go to a temporary file. */
  maxMemoryBytes?: number;
  /** Where that file goes (default: the OS temp directory). */
  spillDirectory?: string;
}

/** Creates blocks of one stride with the WASM kernel when possible. */
export function createVectorBlock(stride: number, capacity: number, options: { wasm?: boolean } = {}): VectorBlock {
  return (options.wasm === false ? undefined : createWasmVectorBlock(stride, capacity)) ?? new JsVectorBlock(stride, capacity);
}

export class VectorStore {
  /** The chain; a spilled block is undefined (blocks [0, spilledBlocks) are in the file). */
  readonly blocks: (VectorBlock | undefined)[] = [];
  readonly blockCapacity: number;
  readonly kind: 'js' | 'wasm';
  count = 0;
  spilledBlocks = 0;
  private readonly vectorBytes: number;
  private readonly maxMemoryBytes: number;
  private fd: number | undefined;
  /** Holds a run of spilled vectors during a scan. */
  private reader: VectorBlock | undefined;
  /** Holds one spilled vector (an LSH candidate). */
  private single: VectorBlock | undefined;

  constructor(
    readonly stride: number,
    private readonly options: VectorStoreOptions = {},
  ) {
    this.vectorBytes = stride * 4;
    this.maxMemoryBytes = options.maxMemoryBytes ?? Number.POSITIVE_INFINITY;
    // Under a cap, three full blocks stay beside the one filling: the spill file gets a quarter of
    // the cap at a time, and the newest ≥ 3/4 of the cap's vectors are scored from memory.
    const blockBytes = Math.min(BLOCK_BYTES, this.maxMemoryBytes / 4);
    this.blockCapacity = Math.max(1, Math.floor(options.blockCapacity ?? blockBytes / this.vectorBytes));
    this.blocks.push(createVectorBlock(stride, this.blockCapacity, options));
    this.kind = this.blocks[0]!.kind;
  }

  /** Stores `vector[0, stride)` and returns its number. */
  append(vector: Float32Array): number {
    let block = this.blocks[this.blocks.length - 1]!;
    if (block.count === block.capacity) {
      const full = this.blockCapacity * this.vectorBytes;
      while (this.spilledBlocks < this.blocks.length && (this.blocks.length - this.spilledBlocks + 1) * full > this.maxMemoryBytes) this.spillOldest();
      block = createVectorBlock(this.stride, this.blockCapacity, this.options);
      this.blocks.push(block);
    }
    block.append(vector);
    return this.count++;
  }

  /** A view of vector `index`, valid until the next append or read of a spilled vector. */
  vectorAt(index: number): Float32Array {
    const block = this.blocks[Math.floor(index / this.blockCapacity)];
    return block === undefined ? this.readOne(index).vectorAt(0) : block.vectorAt(index % this.blockCapacity);
  }

  /** The kernel's cosine of `query` and vector `index` (bit-identical to a scan's value for the pair). */
  similarity(query: Float32Array, index: number): number {
    const block = this.blocks[Math.floor(index / this.blockCapacity)];
    if (block === undefined) return this.readOne(index).dots(query, 0, 1)[0]!;
    return block.dots(query, index % this.blockCapacity, 1)[0]!;
  }

  /**
   * Visits [from, to) in tiles of at most SCAN_TILE vectors within one block:
   * `visit(block, offsetInBlock, count, firstIndex)`. A spilled range comes through a reading
   * block, valid only during the visit.
   */
  forEachTile(from: number, to: number, visit: (block: VectorBlock, offset: number, count: number, firstIndex: number) => void): void {
    let index = from;
    while (index < to) {
      const block = this.blocks[Math.floor(index / this.blockCapacity)];
      if (block === undefined) {
        const reader = (this.reader ??= createVectorBlock(this.stride, Math.max(1, Math.min(this.blockCapacity, Math.floor(READ_BYTES / this.vectorBytes))), this.options));
        const run = Math.min(reader.capacity, to - index, this.spilledBlocks * this.blockCapacity - index);
        this.readVectors(reader.refill(run), index);
        for (let offset = 0; offset < run; offset += SCAN_TILE) visit(reader, offset, Math.min(SCAN_TILE, run - offset), index + offset);
        index += run;
        continue;
      }
      const offset = index % this.blockCapacity;
      const count = Math.min(SCAN_TILE, to - index, this.blockCapacity - offset);
      visit(block, offset, count, index);
      index += count;
    }
  }

  /** Bytes in memory: the blocks not spilled and the reading blocks. */
  get byteLength(): number {
    let bytes = (this.reader?.byteLength ?? 0) + (this.single?.byteLength ?? 0);
    for (const block of this.blocks) bytes += block?.byteLength ?? 0;
    return bytes;
  }

  /** Bytes in the spill file. */
  get spilledBytes(): number {
    return this.spilledBlocks * this.blockCapacity * this.vectorBytes;
  }

  /** Releases the spill file, if any; the store is unusable afterwards. */
  close(): void {
    closeSpillFile(this.fd);
    this.fd = undefined;
  }

  private spillOldest(): void {
    const block = this.blocks[this.spilledBlocks]!;
    this.fd ??= openSpillFile(this.options.spillDirectory, 'vectors');
    const vectors = block.vectorsView(0, block.count);
    writeAt(this.fd, new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength), this.spilledBlocks * this.blockCapacity * this.vectorBytes);
    this.blocks[this.spilledBlocks] = undefined;
    this.spilledBlocks++;
  }

  private readOne(index: number): VectorBlock {
    const single = (this.single ??= createVectorBlock(this.stride, 1, this.options));
    this.readVectors(single.refill(1), index);
    return single;
  }

  /** Fills `into` with spilled vectors from `first` on. */
  private readVectors(into: Float32Array, first: number): void {
    readAt(this.fd!, new Uint8Array(into.buffer, into.byteOffset, into.byteLength), first * this.vectorBytes);
  }
}

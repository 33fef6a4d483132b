import { createWasmVectorBlock } from './wasm/cosine-wasm.js';
import { JsVectorBlock, SCAN_TILE, type VectorBlock } from './vector-block.js';

/**
 * The kept unit vectors of semantic dedup, numbered 0, 1, 2… in insertion order, in a chain of
 * fixed-capacity blocks (vector-block.ts) of at most BLOCK_BYTES each: growing never copies more
 * than one block, and no single WebAssembly memory approaches its 4 GiB limit. 4·stride bytes per
 * vector and nothing else (1 KiB at 256 dimensions, 6 KiB at 1536).
 */

const BLOCK_BYTES = 256 * 1024 * 1024;

export interface VectorStoreOptions {
  /** WASM SIMD kernel when the runtime has it (default true); false forces the JavaScript kernel. */
  wasm?: boolean;
  /** Vectors per block (default: as many as fit BLOCK_BYTES); tests use small blocks. */
  blockCapacity?: number;
}

/** Creates blocks of one stride with the WASM kernel when possible. */
export function createVectorBlock(stride: number, capacity: number, options: { wasm?: boolean } = {}): VectorBlock {
  return (options.wasm === false ? undefined : createWasmVectorBlock(stride, capacity)) ?? new JsVectorBlock(stride, capacity);
}

export class VectorStore {
  readonly blocks: VectorBlock[] = [];
  readonly blockCapacity: number;
  readonly kind: 'js' | 'wasm';
  count = 0;

  constructor(
    readonly stride: number,
    private readonly options: VectorStoreOptions = {},
  ) {
    this.blockCapacity = Math.max(1, Math.floor(options.blockCapacity ?? BLOCK_BYTES / (stride * 4)));
    this.blocks.push(createVectorBlock(stride, this.blockCapacity, options));
    this.kind = this.blocks[0]!.kind;
  }

  /** Stores `vector[0, stride)` and returns its number. */
  append(vector: Float32Array): number {
    let block = this.blocks[this.blocks.length - 1]!;
    if (block.count === block.capacity) {
      block = createVectorBlock(this.stride, this.blockCapacity, this.options);
      this.blocks.push(block);
    }
    block.append(vector);
    return this.count++;
  }

  /** A view of vector `index`, valid until the next append. */
  vectorAt(index: number): Float32Array {
    return this.blocks[Math.floor(index / this.blockCapacity)]!.vectorAt(index % this.blockCapacity);
  }

  /** The kernel's cosine of `query` and vector `index` (bit-identical to a scan's value for the pair). */
  similarity(query: Float32Array, index: number): number {
    return this.blocks[Math.floor(index / this.blockCapacity)]!.dots(query, index % this.blockCapacity, 1)[0]!;
  }

  /**
   * Visits [from, to) in tiles of at most SCAN_TILE vectors within one block:
   * `visit(block, offsetInBlock, count, firstIndex)`.
   */
  forEachTile(from: number, to: number, visit: (block: VectorBlock, offset: number, count: number, firstIndex: number) => void): void {
    let index = from;
    while (index < to) {
      const block = this.blocks[Math.floor(index / this.blockCapacity)]!;
      const offset = index % this.blockCapacity;
      const count = Math.min(SCAN_TILE, to - index, this.blockCapacity - offset);
      visit(block, offset, count, index);
      index += count;
    }
  }

  get byteLength(): number {
    let bytes = 0;
    for (const block of this.blocks) bytes += block.byteLength;
    return bytes;
  }
}

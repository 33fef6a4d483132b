import { instantiate, moduleLoader, PAGE_BYTES, type WasmMemory, type WasmModule } from './wasm-runtime.js';
import { COSINE_WASM_BASE64 } from './cosine-wasm-binary.js';
import { SCAN_TILE, type VectorBlock } from '../vector-block.js';

/**
 * A vector block (../vector-block.ts) whose vectors live in the memory of its own instance of the
 * dot-product kernel (source: cosine-wasm.wat, bytes: cosine-wasm-binary.ts). The kernel reads only
 * its own memory, so the stored vectors must be there; queries are copied in per call (one stride
 * of floats per tile of SCAN_TILE vectors, negligible).
 *
 * Memory layout (byte offsets, all 16-byte aligned since stride is a multiple of 4 floats):
 *   [0, 16·stride)                    four query slots
 *   [16·stride, 16·stride + 16·TILE)  results of one call (dots4 writes 4 × TILE floats)
 *   [vectorsAt, …)                    the vectors, `stride` floats each; grown on demand, up to capacity
 *
 * Node 20 enables WASM SIMD by default; where it is missing (or the module fails to validate) the
 * factory returns undefined and callers use the JavaScript block, which gives identical results.
 */

interface KernelExports {
  memory: WasmMemory;
  dots(query: number, vectors: number, count: number, stride: number, out: number): void;
  dots4(queries: number, vectors: number, count: number, stride: number, out: number): void;
}


const loadCosineWasmModule = moduleLoader(COSINE_WASM_BASE64);

/** A WASM-backed block, or undefined when this runtime cannot run the kernel. */
export function createWasmVectorBlock(stride: number, capacity: number): VectorBlock | undefined {
  const module = loadCosineWasmModule();
  return module === undefined ? undefined : new WasmVectorBlock(module, stride, capacity);
}

class WasmVectorBlock implements VectorBlock {
  readonly kind = 'wasm';
  count = 0;
  private readonly exports: KernelExports;
  private readonly outAt: number;
  private readonly vectorsAt: number;
  private floats: Float32Array;

  constructor(
    module: WasmModule,
    readonly stride: number,
    readonly capacity: number,
  ) {
    this.exports = instantiate<KernelExports>(module);
    this.outAt = 16 * stride;
    this.vectorsAt = this.outAt + 16 * SCAN_TILE;
    this.floats = new Float32Array(this.exports.memory.buffer);
    this.ensureBytes(this.vectorsAt + Math.min(capacity, 64) * stride * 4);
  }

  get byteLength(): number {
    return this.exports.memory.buffer.byteLength;
  }

  append(vector: Float32Array): void {
    if (this.count >= this.capacity) throw new Error(`internal: vector block full (${this.capacity})`);
    const at = this.vectorsAt + this.count * this.stride * 4;
    this.ensureBytes(at + this.stride * 4);
    this.floats.set(vector.subarray(0, this.stride), at / 4);
    this.count++;
  }

  vectorAt(index: number): Float32Array {
    const start = this.vectorsAt / 4 + index * this.stride;
    return this.floats.subarray(start, start + this.stride);
  }

  vectorsView(from: number, count: number): Float32Array {
    const start = this.vectorsAt / 4 + from * this.stride;
    return this.floats.subarray(start, start + count * this.stride);
  }

  refill(count: number): Float32Array {
    if (count > this.capacity) throw new Error(`internal: vector block refill of ${count} over its capacity ${this.capacity}`);
    this.ensureBytes(this.vectorsAt + count * this.stride * 4);
    this.count = count;
    return this.vectorsView(0, count);
  }

  dots(query: Float32Array, from: number, count: number): Float32Array {
    this.floats.set(query.subarray(0, this.stride), 0);
    this.exports.dots(0, this.vectorsAt + from * this.stride * 4, count, this.stride, this.outAt);
    return this.floats.subarray(this.outAt / 4, this.outAt / 4 + count);
  }

  dots4(queries: Float32Array, from: number, count: number): Float32Array {
    this.floats.set(queries.subarray(0, 4 * this.stride), 0);
    this.exports.dots4(0, this.vectorsAt + from * this.stride * 4, count, this.stride, this.outAt);
    return this.floats.subarray(this.outAt / 4, this.outAt / 4 + 4 * count);
  }

  /** Grows the memory (at least doubling, so appends stay amortised O(1)) to hold `bytes`. */
  private ensureBytes(bytes: number): void {
    const memory = this.exports.memory;
    const have = memory.buffer.byteLength;
    if (bytes <= have) return;
    const limit = this.vectorsAt + this.capacity * this.stride * 4;
    const target = Math.min(Math.max(bytes, have * 2), Math.max(bytes, limit));
    memory.grow(Math.ceil((target - have) / PAGE_BYTES));
    this.floats = new Float32Array(memory.buffer);
  }
}

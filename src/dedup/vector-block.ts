/**
 * A growable run of float32 vectors, `stride` floats apart, with the two dot-product kernels of
 * wasm/cosine-wasm.wat. The WASM block keeps its vectors in its own WebAssembly memory (the kernel
 * can only read its memory); this file's JavaScript block is the fallback and the test oracle.
 *
 * The JavaScript kernel computes in float32 exactly as the WASM one does: a product or a sum of two
 * float32 values computed in float64 and rounded once with Math.fround is the correctly rounded
 * float32 result (float64's 53-bit mantissa ≥ 2·24 + 2, Figueroa 1995), and the order of the
 * operations is the kernel's (four lane sums, then (l0 + l1) + (l2 + l3)). So both kernels give
 * bit-identical similarities and identical verdicts.
 *
 * A block holds at most `capacity` vectors (vector-store.ts chains blocks), so one WASM memory
 * stays well under the 4 GiB a 32-bit memory can address.
 */

/** Vectors scored per kernel call; results fit a 16 KiB (dots) or 64 KiB (dots4) area that stays in cache. */
export const SCAN_TILE = 1024;

export interface VectorBlock {
  readonly kind: 'js' | 'wasm';
  readonly stride: number;
  readonly capacity: number;
  readonly count: number;
  /** Bytes this block holds (its memory, or its arrays). */
  readonly byteLength: number;
  /** Appends `vector[0, stride)`. */
  append(vector: Float32Array): void;
  /** A view of vector `index`; valid until the next append (a memory may move when it grows). */
  vectorAt(index: number): Float32Array;
  /** A view of vectors [from, from + count), contiguous (what a spill writes). */
  vectorsView(from: number, count: number): Float32Array;
  /**
   * Empties the block and returns a view of its first `count ≤ capacity` slots for the caller to
   * fill (a spilled run read straight into the kernel's memory); the block then holds `count` vectors.
   */
  refill(count: number): Float32Array;
  /** `query · vectors[from + v]` at [v], v < count ≤ SCAN_TILE; the view is valid until the next call. */
  dots(query: Float32Array, from: number, count: number): Float32Array;
  /** `queries[j] · vectors[from + v]` at [j·count + v] for the four queries packed `stride` apart. */
  dots4(queries: Float32Array, from: number, count: number): Float32Array;
}

export class JsVectorBlock implements VectorBlock {
  readonly kind = 'js';
  count = 0;
  private vectors: Float32Array;
  private readonly out = new Float32Array(4 * SCAN_TILE);

  constructor(
    readonly stride: number,
    readonly capacity: number,
  ) {
    this.vectors = new Float32Array(Math.min(capacity, 256) * stride);
  }

  get byteLength(): number {
    return this.vectors.byteLength + this.out.byteLength;
  }

  append(vector: Float32Array): void {
    if (this.count >= this.capacity) throw new Error(`internal: vector block full (${this.capacity})`);
    const start = this.count * this.stride;
    if (start + this.stride > this.vectors.length) {
      const grown = new Float32Array(Math.min(this.capacity * this.stride, this.vectors.length * 2));
      grown.set(this.vectors);
      this.vectors = grown;
    }
    this.vectors.set(vector.subarray(0, this.stride), start);
    this.count++;
  }

  vectorAt(index: number): Float32Array {
    return this.vectors.subarray(index * this.stride, (index + 1) * this.stride);
  }

  vectorsView(from: number, count: number): Float32Array {
    return this.vectors.subarray(from * this.stride, (from + count) * this.stride);
  }

  refill(count: number): Float32Array {
    if (count > this.capacity) throw new Error(`internal: vector block refill of ${count} over its capacity ${this.capacity}`);
    if (count * this.stride > this.vectors.length) this.vectors = new Float32Array(count * this.stride);
    this.count = count;
    return this.vectors.subarray(0, count * this.stride);
  }

  dots(query: Float32Array, from: number, count: number): Float32Array {
    const { out, vectors, stride } = this;
    for (let v = 0; v < count; v++) out[v] = dotFloat32(query, 0, vectors, (from + v) * stride, stride);
    return out.subarray(0, count);
  }

  dots4(queries: Float32Array, from: number, count: number): Float32Array {
    const { out, vectors, stride } = this;
    for (let v = 0; v < count; v++) {
      const offset = (from + v) * stride;
      for (let j = 0; j < 4; j++) out[j * count + v] = dotFloat32(queries, j * stride, vectors, offset, stride);
    }
    return out.subarray(0, 4 * count);
  }
}

/** One pair, in the WASM kernel's float32 operation order. */
export function dotFloat32(left: Float32Array, leftOffset: number, right: Float32Array, rightOffset: number, stride: number): number {
  const f = Math.fround;
  let lane0 = 0;
  let lane1 = 0;
  let lane2 = 0;
  let lane3 = 0;
  for (let k = 0; k < stride; k += 4) {
    lane0 = f(lane0 + f(left[leftOffset + k]! * right[rightOffset + k]!));
    lane1 = f(lane1 + f(left[leftOffset + k + 1]! * right[rightOffset + k + 1]!));
    lane2 = f(lane2 + f(left[leftOffset + k + 2]! * right[rightOffset + k + 2]!));
    lane3 = f(lane3 + f(left[leftOffset + k + 3]! * right[rightOffset + k + 3]!));
  }
  return f(f(lane0 + lane1) + f(lane2 + lane3));
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createWasmVectorBlock } from '../../src/dedup/wasm/cosine-wasm.js';
import { dotFloat32, JsVectorBlock, SCAN_TILE, type VectorBlock } from '../../src/dedup/vector-block.js';
import { VectorStore } from '../../src/dedup/vector-store.js';
import { createSplitMix32 } from '../../src/dedup/mix32.js';
import { binaryModulePath, buildBinaryModule, wasmKernel } from '../../scripts/build-wasm.js';

function randomVectors(count: number, stride: number, seed: number): Float32Array[] {
  const next = createSplitMix32(seed);
  return Array.from({ length: count }, () => Float32Array.from({ length: stride }, () => next() / 2 ** 31));
}

function filled(block: VectorBlock, vectors: readonly Float32Array[]): VectorBlock {
  for (const vector of vectors) block.append(vector);
  return block;
}

/** The dot product in float64, independent of both kernels. */
function dot64(left: Float32Array, right: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < left.length; index++) sum += left[index]! * right[index]!;
  return sum;
}

describe('cosine kernels', () => {
  it('has committed bytes that match cosine-wasm.wat', async () => {
    const kernel = wasmKernel('cosine-wasm.wat');
    expect(readFileSync(binaryModulePath(kernel), 'utf8')).toBe(await buildBinaryModule(kernel));
  });

  it('is available on Node 20 (WASM SIMD enabled)', () => {
    expect(createWasmVectorBlock(8, 10)?.kind).toBe('wasm');
  });

  it('gives bit-identical dots and dots4 in WASM and JavaScript, for every stride and tail length', () => {
    for (const stride of [4, 8, 12, 64, 260]) {
      for (const count of [1, 2, 3, 4, 5, 7, 33]) {
        const vectors = randomVectors(count, stride, stride * 100 + count);
        const queries = randomVectors(4, stride, 7 + stride);
        const packed = new Float32Array(4 * stride);
        queries.forEach((query, index) => packed.set(query, index * stride));
        const wasm = filled(createWasmVectorBlock(stride, 64)!, vectors);
        const js = filled(new JsVectorBlock(stride, 64), vectors);
        const wasmDots = Array.from(wasm.dots(queries[0]!, 0, count));
        expect(wasmDots, `stride ${stride} count ${count}`).toEqual(Array.from(js.dots(queries[0]!, 0, count)));
        const wasmDots4 = Array.from(wasm.dots4(packed, 0, count));
        expect(wasmDots4).toEqual(Array.from(js.dots4(packed, 0, count)));
        // The same pair has the same value in both shapes, and the float64 value within float32 rounding.
        expect(wasmDots4.slice(0, count)).toEqual(wasmDots);
        for (let v = 0; v < count; v++) {
          expect(wasmDots4[2 * count + v]).toBe(dotFloat32(queries[2]!, 0, vectors[v]!, 0, stride));
          expect(Math.abs(wasmDots[v]! - dot64(queries[0]!, vectors[v]!))).toBeLessThan(1e-5 * stride);
        }
      }
    }
  });

  it('scores a sub-range, and keeps earlier vectors when its memory grows', () => {
    const stride = 64;
    const vectors = randomVectors(3000, stride, 3);
    const block = createWasmVectorBlock(stride, 3000)!;
    block.append(vectors[0]!);
    const before = block.dots(vectors[1]!, 0, 1)[0];
    for (const vector of vectors.slice(1)) block.append(vector);
    expect(block.byteLength).toBeGreaterThan(3000 * stride * 4);
    expect(block.dots(vectors[1]!, 0, 1)[0]).toBe(before);
    expect(Array.from(block.vectorAt(2999))).toEqual(Array.from(vectors[2999]!));
    const js = filled(new JsVectorBlock(stride, 3000), vectors);
    expect(Array.from(block.dots(vectors[5]!, 1500, 700))).toEqual(Array.from(js.dots(vectors[5]!, 1500, 700)));
  });

  it('refuses to overfill a block', () => {
    const block = createWasmVectorBlock(4, 2)!;
    block.append(new Float32Array(4));
    block.append(new Float32Array(4));
    expect(() => block.append(new Float32Array(4))).toThrow(/full/);
  });
});

describe('VectorStore', () => {
  it('chains blocks and visits ranges in tiles that never cross a block', () => {
    const stride = 8;
    const vectors = randomVectors(2500, stride, 9);
    const store = new VectorStore(stride, { blockCapacity: 1000 });
    vectors.forEach((vector, index) => expect(store.append(vector)).toBe(index));
    expect(store.blocks).toHaveLength(3);
    expect(Array.from(store.vectorAt(1234))).toEqual(Array.from(vectors[1234]!));
    const tiles: number[][] = [];
    store.forEachTile(900, 2100, (block, offset, count, first) => {
      expect(store.blocks.indexOf(block)).toBe(Math.floor(first / 1000));
      tiles.push([offset, count, first]);
    });
    expect(tiles).toEqual([
      [900, 100, 900],
      [0, 1000, 1000],
      [0, 100, 2000],
    ]);
    const wide = new VectorStore(stride, { blockCapacity: 3000 });
    for (const vector of vectors) wide.append(vector);
    const wideTiles: number[][] = [];
    wide.forEachTile(0, 2500, (_block, offset, count, first) => wideTiles.push([offset, count, first]));
    expect(wideTiles).toEqual([
      [0, SCAN_TILE, 0],
      [SCAN_TILE, SCAN_TILE, SCAN_TILE],
      [2 * SCAN_TILE, 2500 - 2 * SCAN_TILE, 2 * SCAN_TILE],
    ]);
    expect(store.similarity(vectors[7]!, 2222)).toBe(dotFloat32(vectors[7]!, 0, vectors[2222]!, 0, stride));
  });

  it('uses the JavaScript kernel when asked', () => {
    expect(new VectorStore(8, { wasm: false }).kind).toBe('js');
    expect(new VectorStore(8).kind).toBe('wasm');
  });
});

import { describe, expect, it } from 'vitest';
import { binaryModulePath, buildBinaryModule, wasmKernel } from '../../scripts/build-wasm.js';
import { computeSignature, createMinHashParams, JsMinHashKernel } from '../../src/dedup/minhash.js';
import { WasmMinHashKernel } from '../../src/dedup/wasm/minhash-wasm.js';
import { fmix32 } from '../../src/dedup/mix32.js';
import { readFileSync } from 'node:fs';

function randomShingles(count: number, seed: number): Int32Array {
  const out = new Int32Array(count);
  for (let index = 0; index < count; index++) out[index] = fmix32(seed * 1_000_003 + index);
  return out;
}

describe('WasmMinHashKernel', () => {
  it('is available on Node 20 (WASM SIMD enabled)', () => {
    expect(WasmMinHashKernel.create(createMinHashParams(128, 1))).toBeDefined();
  });

  it('produces signatures bit-identical to the JavaScript kernel', () => {
    for (const numPerm of [128, 64, 100, 7, 256]) {
      for (const seed of [1, 42]) {
        const params = createMinHashParams(numPerm, seed);
        const wasm = WasmMinHashKernel.create(params)!;
        const js = new JsMinHashKernel(params);
        for (const count of [1, 2, 5, 146, 1000, 20_000]) {
          const shingles = randomShingles(count, count + seed);
          wasm.shingleBuffer(count).set(shingles);
          js.shingleBuffer(count).set(shingles);
          const expected = new Int32Array(numPerm);
          computeSignature(params, shingles, 0, count, expected);
          expect(Array.from(wasm.sign(count).subarray(0, numPerm)), `K=${numPerm} n=${count}`).toEqual(Array.from(expected));
          expect(Array.from(js.sign(count).subarray(0, numPerm))).toEqual(Array.from(expected));
        }
      }
    }
  });

  it('grows its memory for a very long document and keeps working', () => {
    const params = createMinHashParams(128, 1);
    const wasm = WasmMinHashKernel.create(params)!;
    const small = randomShingles(10, 1);
    wasm.shingleBuffer(10).set(small);
    const before = Array.from(wasm.sign(10));
    const huge = randomShingles(300_000, 2);
    wasm.shingleBuffer(huge.length).set(huge);
    const expected = new Int32Array(128);
    computeSignature(params, huge, 0, huge.length, expected);
    expect(Array.from(wasm.sign(huge.length))).toEqual(Array.from(expected));
    wasm.shingleBuffer(10).set(small);
    expect(Array.from(wasm.sign(10))).toEqual(before);
  });

  it('ships the bytes that scripts/build-wasm.ts builds from minhash-wasm.wat', async () => {
    const kernel = wasmKernel('minhash-wasm.wat');
    const committed = readFileSync(binaryModulePath(kernel), 'utf8');
    expect(committed).toBe(await buildBinaryModule(kernel));
  });
});

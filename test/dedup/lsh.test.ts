import { describe, expect, it } from 'vitest';
import { computeBandKeys, LshIndex } from '../../src/dedup/lsh.js';

function keysFor(values: number[], bands: number, rows: number): Int32Array {
  const keys = new Int32Array(bands);
  computeBandKeys(Int32Array.from(values), bands, rows, keys);
  return keys;
}

describe('computeBandKeys', () => {
  it('depends on every row of its band and on the band number', () => {
    const base = keysFor([1, 2, 3, 4, 5, 6, 7, 8], 4, 2);
    const changed = keysFor([1, 2, 3, 99, 5, 6, 7, 8], 4, 2);
    expect(changed[0]).toBe(base[0]);
    expect(changed[1]).not.toBe(base[1]);
    expect(changed[2]).toBe(base[2]);
    const same = keysFor([5, 5, 5, 5], 2, 2);
    expect(same[0]).not.toBe(same[1]);
  });
});

describe('LshIndex', () => {
  it('returns earlier documents that share any band, newest first', () => {
    const index = new LshIndex(2);
    index.insert(0, Int32Array.from([10, 20]), 0);
    index.insert(1, Int32Array.from([10, 21]), 0);
    index.insert(2, Int32Array.from([11, 20]), 0);
    const out = new Int32Array(2 * 8);
    const found = index.collect(Int32Array.from([10, 20]), 0, 8, out);
    expect(Array.from(out.subarray(0, found))).toEqual([1, 0, 2, 0]);
    expect(index.collect(Int32Array.from([12, 22]), 0, 8, out)).toBe(0);
  });

  it('never puts equal keys of different bands in one bucket', () => {
    // A 32-bit key can repeat across bands; a bucket is (band, key), so an index over some of the
    // bands finds exactly what one index over all of them finds.
    const index = new LshIndex(2);
    index.insert(0, Int32Array.from([5, 6]), 0);
    const out = new Int32Array(2 * 8);
    expect(index.collect(Int32Array.from([6, 5]), 0, 8, out)).toBe(0);
    expect(index.collectAndInsert(1, Int32Array.from([6, 9]), 0, 8, out)).toBe(0);
    expect(Array.from(out.subarray(0, index.collect(Int32Array.from([6, 6]), 0, 8, out)))).toEqual([1, 0]);
  });

  it('visits at most maxPerBucket members of a bucket', () => {
    const index = new LshIndex(1);
    for (let doc = 0; doc < 100; doc++) index.insert(doc, Int32Array.from([7]), 0);
    const out = new Int32Array(3);
    expect(index.collect(Int32Array.from([7]), 0, 3, out)).toBe(3);
    expect(Array.from(out)).toEqual([99, 98, 97]);
  });

  it('keeps every bucket through table growth', () => {
    const bands = 4;
    const index = new LshIndex(bands);
    const keys = new Int32Array(bands);
    for (let doc = 0; doc < 20_000; doc++) {
      for (let band = 0; band < bands; band++) keys[band] = doc % 5000 === 0 ? -band : doc * 31 + band * 1_000_003;
      index.insert(doc, keys, 0);
    }
    const out = new Int32Array(bands * 8);
    keys.set([0, -1, -2, -3]);
    const found = index.collect(keys, 0, 8, out);
    expect(Array.from(out.subarray(0, found))).toEqual([15000, 10000, 5000, 0, 15000, 10000, 5000, 0, 15000, 10000, 5000, 0, 15000, 10000, 5000, 0]);
    keys.set([12_345 * 31, 12_345 * 31 + 1_000_003, 1, 2]);
    expect(Array.from(out.subarray(0, index.collect(keys, 0, 8, out)))).toEqual([12_345, 12_345]);
  });

  it('sized for its documents up front, never grows and answers as a table grown by doubling', () => {
    const bands = 4;
    const presized = new LshIndex(bands, 0, 20_000);
    const grown = new LshIndex(bands);
    const sizedBytes = presized.byteLength;
    const keys = new Int32Array(bands);
    const fromPresized = new Int32Array(bands * 8);
    const fromGrown = new Int32Array(bands * 8);
    for (let doc = 0; doc < 20_000; doc++) {
      for (let band = 0; band < bands; band++) keys[band] = doc % 7 === 0 ? (doc % 49) * 7 + band : Math.imul(doc, 0x9e3779b1) + band;
      const found = presized.collectAndInsert(doc, keys, 0, 8, fromPresized);
      expect(grown.collectAndInsert(doc, keys, 0, 8, fromGrown)).toBe(found);
      expect(fromPresized.subarray(0, found)).toEqual(fromGrown.subarray(0, found));
    }
    expect(presized.byteLength).toBe(sizedBytes);
    expect(grown.byteLength).toBeGreaterThan(sizedBytes / 4);
  });

  it('fills its table up to 3/4 before doubling it, sized up front or grown', () => {
    const bands = 4;
    const docs = 20_000;
    const presized = new LshIndex(bands, 0, docs);
    const grown = new LshIndex(bands);
    const keys = new Int32Array(bands);
    for (let doc = 0; doc < docs; doc++) {
      for (let band = 0; band < bands; band++) keys[band] = Math.imul(doc, 0x9e3779b1) + band;
      presized.insert(doc, keys, 0);
      grown.insert(doc, keys, 0);
    }
    // 80,000 distinct keys: 2^17 slots of 8 bytes (61% full; at most 1/2, as before, took 2^18).
    expect(presized.buckets).toBe(docs * bands);
    expect(presized.byteLength).toBe(2 ** 17 * 8 + docs * bands * 4);
    expect(grown.byteLength).toBe(2 ** 17 * 8 + 2 ** 17 * 4);
  });

  it('collectAndInsert answers like collect-then-insert and never returns the new document', () => {
    const bands = 3;
    const fused = new LshIndex(bands);
    const split = new LshIndex(bands);
    const keys = new Int32Array(bands);
    const fusedOut = new Int32Array(bands * 4);
    const splitOut = new Int32Array(bands * 4);
    for (let doc = 0; doc < 3000; doc++) {
      for (let band = 0; band < bands; band++) keys[band] = (doc % 7) * 100 + band + (doc % 11 === 0 ? 5000 : 0);
      const found = fused.collectAndInsert(doc, keys, 0, 4, fusedOut);
      const expected = split.collect(keys, 0, 4, splitOut);
      split.insert(doc, keys, 0);
      expect(Array.from(fusedOut.subarray(0, found))).toEqual(Array.from(splitOut.subarray(0, expected)));
      expect(Array.from(fusedOut.subarray(0, found))).not.toContain(doc);
    }
  });
});


import { describe, expect, it } from 'vitest';
import { ShingleArena } from '../../src/dedup/shingle-arena.js';

function run(arena: ShingleArena, doc: number): number[] {
  const values = arena.view(doc);
  return Array.from(values.subarray(arena.viewOffset, arena.viewOffset + arena.countOf(doc)));
}

describe('ShingleArena', () => {
  it('stores runs by document number and sorts them lazily, once', () => {
    const arena = new ShingleArena();
    const source = Int32Array.from([7, 3, 3, 1, 100, 50, 60]);
    expect(arena.append(source, 0, 4, false)).toBe(0);
    expect(arena.append(source, 4, 3, true)).toBe(1);
    expect(run(arena, 0)).toEqual([7, 3, 3, 1]);
    arena.ensureSorted(0);
    expect(run(arena, 0)).toEqual([1, 3, 7]);
    arena.ensureSorted(1);
    expect(run(arena, 1)).toEqual([100, 50, 60]);
  });

  it('spills into new chunks and gives an oversized document a chunk of its own', () => {
    const arena = new ShingleArena();
    const big = new Int32Array(3_000_000).map((_, index) => index);
    for (let doc = 0; doc < 3; doc++) arena.append(big, doc, 2_000_000, true);
    const huge = new Int32Array(5_000_000).fill(42);
    arena.append(huge, 0, huge.length, true);
    expect(arena.size).toBe(4);
    expect(run(arena, 2).slice(0, 3)).toEqual([2, 3, 4]);
    expect(arena.countOf(3)).toBe(5_000_000);
    expect(arena.view(3)[arena.viewOffset + 4_999_999]).toBe(42);
    expect(arena.view(0)).not.toBe(arena.view(2));
  });

  it('adopts a batch of sorted runs without copying it, between copied runs', () => {
    const arena = new ShingleArena();
    const batch = Int32Array.from([1, 2, 3, 10, 20]);
    arena.append(Int32Array.from([9, 8]), 0, 2, false);
    expect(arena.adopt(batch, 0, 3)).toBe(1);
    expect(arena.adopt(batch, 3, 2)).toBe(2);
    arena.append(Int32Array.from([5]), 0, 1, true);
    expect(arena.view(2)).toBe(batch);
    expect([0, 1, 2, 3].map((doc) => run(arena, doc))).toEqual([[9, 8], [1, 2, 3], [10, 20], [5]]);
  });

  it('moves the oldest chunks to a file past its memory cap and reads them back sorted', () => {
    const arena = new ShingleArena({ maxMemoryBytes: 64 });
    const expected: number[][] = [];
    for (let batch = 0; batch < 6; batch++) {
      const values = Int32Array.from({ length: 10 }, (_, index) => batch * 100 + index);
      arena.adopt(values, 0, 4);
      arena.adopt(values, 4, 6);
      expected.push([batch * 100, batch * 100 + 1, batch * 100 + 2, batch * 100 + 3], [4, 5, 6, 7, 8, 9].map((value) => batch * 100 + value));
    }
    arena.append(Int32Array.from([3, 1, 3, 2]), 0, 4, false);
    arena.append(Int32Array.from([7]), 0, 1, true);
    expected.push([1, 2, 3], [7]);
    expect(arena.spilledBytes).toBe(6 * 40);
    expect(arena.byteLength).toBeLessThanOrEqual((16 << 20) + 13 * 1024);
    arena.ensureSorted(12);
    expect(expected.map((_, doc) => run(arena, doc))).toEqual(expected);
    arena.close();
  });
});

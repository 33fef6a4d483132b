import { describe, expect, it } from 'vitest';
import { ShingleArena } from '../../src/dedup/shingle-arena.js';

function run(arena: ShingleArena, doc: number): number[] {
  const offset = arena.offsetOf(doc);
  return Array.from(arena.chunkOf(doc).subarray(offset, offset + arena.countOf(doc)));
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
    expect(arena.chunkOf(3)[arena.offsetOf(3) + 4_999_999]).toBe(42);
    expect(arena.chunkOf(0)).not.toBe(arena.chunkOf(2));
  });
});

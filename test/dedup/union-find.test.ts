import { describe, expect, it } from 'vitest';
import { UnionFind } from '../../src/dedup/union-find.js';

describe('UnionFind', () => {
  it('keeps the earliest node as the root of every merged set', () => {
    const sets = new UnionFind();
    for (let node = 0; node < 6; node++) sets.add();
    expect(sets.union(4, 5)).toBe(4);
    expect(sets.union(5, 2)).toBe(2);
    expect(sets.union(3, 1)).toBe(1);
    expect(sets.union(3, 4)).toBe(1);
    for (const node of [1, 2, 3, 4, 5]) expect(sets.find(node)).toBe(1);
    expect(sets.find(0)).toBe(0);
  });

  it('counts members, including ones added with grow, and tracks the largest set', () => {
    const sets = new UnionFind();
    for (let node = 0; node < 2000; node++) sets.add();
    for (let node = 1; node < 1500; node++) sets.union(node, node - 1);
    sets.grow(700, 3);
    expect(sets.sizeOf(0)).toBe(1503);
    expect(sets.largest).toBe(1503);
    expect(sets.sizeOf(1999)).toBe(1);
    expect(sets.find(1499)).toBe(0);
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeySet } from '../../src/engine/key-set.js';

const keyOf = (index: number): string => createHash('sha256').update(String(index)).digest('hex');

describe('KeySet', () => {
  it('holds every key added, tells new from repeated ones, and grows past its first table', () => {
    const set = new KeySet();
    for (let index = 0; index < 5000; index++) expect(set.add(keyOf(index))).toBe(true);
    for (let index = 0; index < 5000; index += 7) expect(set.add(keyOf(index))).toBe(false);
    expect(set.size).toBe(5000);
    expect(set.has(keyOf(4999))).toBe(true);
    expect(set.has(keyOf(5000))).toBe(false);
  });

  it('reads the first 32 hex digits in either case; what follows does not matter', () => {
    const set = new KeySet();
    const key = keyOf(1);
    set.add(key);
    expect(set.has(key.toUpperCase())).toBe(true);
    expect(set.has(`${key.slice(0, 32)}${'0'.repeat(32)}`)).toBe(true);
    expect(set.has(`${key.slice(0, 31)}${key[31] === 'f' ? '0' : 'f'}${key.slice(32)}`)).toBe(false);
  });

  it('answers an empty set without reading the key, and keeps the all-zero key apart', () => {
    const set = new KeySet();
    expect(set.has('not a key at all')).toBe(false);
    const zero = '0'.repeat(64);
    expect(set.add(zero)).toBe(true);
    expect(set.add(zero)).toBe(false);
    expect(set.has(zero)).toBe(true);
    expect(set.size).toBe(1);
  });

  it('refuses a key that is too short or not hex', () => {
    const set = new KeySet();
    set.add(keyOf(1));
    expect(() => set.has('abc')).toThrow(/at least 32 hex digits/);
    expect(() => set.add('z'.repeat(64))).toThrow(/is hex/);
  });
});

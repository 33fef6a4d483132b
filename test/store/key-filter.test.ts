import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyFilter } from '../../src/store/key-filter.js';

function keysOf(count: number, salt: string): Buffer[] {
  return Array.from({ length: count }, (_, index) => createHash('sha256').update(`${salt}:${index}`).digest().subarray(0, 16));
}

describe('KeyFilter', () => {
  it('never says no to a key it was given, read from a key or from a buffer of many', () => {
    const keys = keysOf(5_000, 'in');
    const filter = KeyFilter.sized(keys.length);
    const packed = Buffer.concat(keys);
    for (let index = 0; index < keys.length; index += 2) filter.add(keys[index]!);
    for (let index = 1; index < keys.length; index += 2) filter.add(packed, index * 16);
    expect(keys.every((key) => filter.mayHave(key))).toBe(true);
    expect(keys.every((_, index) => filter.mayHave(packed, index * 16))).toBe(true);
  });

  it('lets through under 0.5% of keys it was not given, at its size', () => {
    const filter = KeyFilter.sized(20_000);
    for (const key of keysOf(20_000, 'in')) filter.add(key);
    const passed = keysOf(50_000, 'out').filter((key) => filter.mayHave(key)).length;
    expect(passed / 50_000).toBeLessThan(0.005);
    // An empty filter lets nothing through.
    expect(keysOf(1_000, 'out').some((key) => KeyFilter.sized(10).mayHave(key))).toBe(false);
  });

  it('is the same filter after a round trip through its bytes, which are a power of two long', () => {
    const filter = KeyFilter.sized(3_000);
    const keys = Array.from({ length: 3_000 }, () => randomBytes(16));
    for (const key of keys) filter.add(key);
    const bytes = filter.bytes();
    expect(bytes.length & (bytes.length - 1)).toBe(0);
    expect(bytes.length * 8).toBeGreaterThanOrEqual(3_000 * 12);
    const copy = KeyFilter.fromBytes(bytes);
    expect(keys.every((key) => copy.mayHave(key))).toBe(true);
    const others = keysOf(5_000, 'other');
    expect(others.map((key) => copy.mayHave(key))).toEqual(others.map((key) => filter.mayHave(key)));
    // A copy: changing the stored bytes later changes nothing.
    bytes.fill(0);
    expect(keys.every((key) => copy.mayHave(key))).toBe(true);
  });

  it('refuses stored bytes that no filter wrote', () => {
    expect(() => KeyFilter.fromBytes(new Uint8Array(0))).toThrow(/0 bytes/);
    expect(() => KeyFilter.fromBytes(new Uint8Array(24))).toThrow(/power of two/);
  });
});

import xxhash from 'xxhash-wasm';
import { describe, expect, it } from 'vitest';
import { ExactHasher, ExactKeyTable } from '../../src/dedup/exact.js';
import { NormalizedText, normalizeInto, normalizeText } from '../../src/dedup/normalize.js';

describe('ExactHasher', () => {
  it('is xxh64 of the normalised text as UTF-16LE, split into two int32 halves', async () => {
    const hasher = await ExactHasher.create();
    const { h64Raw } = await xxhash();
    const text = 'Ｈｅｌｌｏ, Wörld — 42!';
    const normalized = new NormalizedText();
    normalizeInto(text, { foldDigits: false }, normalized);
    hasher.hash(normalized.units, normalized.length);
    const expected = h64Raw(new Uint8Array(Buffer.from(normalizeText(text, { foldDigits: false }), 'utf16le')));
    expect(BigInt.asUintN(32, BigInt(hasher.low))).toBe(expected & 0xffffffffn);
    expect(BigInt.asUintN(32, BigInt(hasher.high))).toBe(expected >> 32n);
  });
});

describe('ExactKeyTable', () => {
  it('finds stored keys, keeps the first document of a key, and survives growth', () => {
    const table = new ExactKeyTable();
    for (let doc = 0; doc < 50_000; doc++) table.insert(doc * 2654435761, doc ^ 0x5555, doc);
    table.insert(7 * 2654435761, 7 ^ 0x5555, 999_999);
    expect(table.size).toBe(50_000);
    for (const doc of [0, 7, 12_345, 49_999]) expect(table.find(doc * 2654435761, doc ^ 0x5555)).toBe(doc);
    expect(table.find(1, 2)).toBe(-1);
    // Same low half, different high half: a different key.
    expect(table.find(3, 7 ^ 0x5555)).toBe(-1);
  });
});

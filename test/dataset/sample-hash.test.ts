import { describe, expect, it } from 'vitest';
import { canonicalJson, quote, sampleContentHash, serializeRow } from '../../src/dataset/sample-hash.js';
import { createRandom } from '../../bench/random.js';

/** JSON values of every shape a row can hold, keys in random order, some of them integer-like. */
function randomValue(random: () => number, depth: number): unknown {
  const pick = Math.floor(random() * (depth > 3 ? 5 : 7));
  const keys = ['role', 'content', 'a', 'B', 'é', '__proto__', '10', '2', 'z9', ''];
  switch (pick) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return Math.round((random() - 0.5) * 1e6) / 7;
    case 3:
      return `s${Math.floor(random() * 100)}\n"\u2028`;
    case 4:
      return undefined;
    case 5:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let count = Math.floor(random() * 5); count > 0; count--) {
        const key = keys[Math.floor(random() * keys.length)]!;
        Object.defineProperty(object, key, { value: randomValue(random, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return object;
    }
  }
}

/** Canonical JSON as the first version of sample-hash.ts wrote it: what lineage files already hold. */
function referenceCanonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((item) => referenceCanonicalJson(item)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const parts = Object.keys(record)
    .sort()
    .filter((key) => record[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${referenceCanonicalJson(record[key])}`);
  return `{${parts.join(',')}}`;
}

describe('canonicalJson', () => {
  it('writes what the field-by-field reference writes, for objects in any key order, integer-like and __proto__ keys included', () => {
    const random = createRandom(7);
    for (let index = 0; index < 5000; index++) {
      const value = randomValue(random, 0);
      expect(canonicalJson(value)).toBe(referenceCanonicalJson(value));
    }
    expect(canonicalJson({ messages: [{ role: 'user', content: 'x' }], '10': 1, '9': 2 })).toBe('{"10":1,"9":2,"messages":[{"content":"x","role":"user"}]}');
    expect(canonicalJson(JSON.parse('{"__proto__":{"b":1,"a":2},"x":1}'))).toBe('{"__proto__":{"a":2,"b":1},"x":1}');
  });

  it('hashes a row the same whatever its key order', () => {
    expect(sampleContentHash({ id: 'a', messages: [{ role: 'user', content: 'x' }] })).toBe(sampleContentHash({ messages: [{ content: 'x', role: 'user' }], id: 'b' }));
  });
});

describe('serializeRow', () => {
  it('writes what JSON.stringify writes of the file row and hashes as sampleContentHash, for rows of every shape', () => {
    const random = createRandom(11);
    for (let index = 0; index < 3000; index++) {
      const row = { ...(randomValue(random, 1) as object), id: `s-${index}` };
      if (random() < 0.5) Object.assign(row, { messages: [{ role: 'user', content: `q${index} é` }], ['tab\there']: 'no escapes, \u2028 kept' });
      for (const keepId of [true, false]) {
        const { id: _id, ...withoutId } = row;
        expect(serializeRow(row, keepId)).toEqual({ json: JSON.stringify(keepId ? row : withoutId), contentHash: sampleContentHash(row) });
      }
    }
  });

  it('takes the separate walks for values that are not JSON data', () => {
    const row = { id: 'a', when: new Date(0), messages: [{ content: 'x', role: 'user' }] };
    expect(serializeRow(row, false)).toEqual({ json: JSON.stringify({ when: row.when, messages: row.messages }), contentHash: sampleContentHash(row) });
  });
});

describe('quote', () => {
  it('writes what JSON.stringify writes for a string holding any UTF-16 code unit, alone or paired', () => {
    for (let code = 0; code < 0x10000; code++) {
      const text = `a${String.fromCharCode(code)}b`;
      if (quote(text) !== JSON.stringify(text)) expect(quote(text), `U+${code.toString(16)}`).toBe(JSON.stringify(text));
    }
    expect(quote('😀 "x" \\ \u2028')).toBe(JSON.stringify('😀 "x" \\ \u2028'));
  });
});

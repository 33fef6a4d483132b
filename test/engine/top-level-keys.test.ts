import { describe, expect, it } from 'vitest';
import { topLevelKeys, topLevelMembers } from '../../src/engine/top-level-keys.js';

describe('topLevelKeys', () => {
  const values: unknown[] = [
    {},
    { answer: 'plain' },
    { a: 'quote " and brace } and comma , inside', b: 1 },
    { 'key "quoted"': 1, 'back\\slash': 2, 'ключ': 3, '😀': 4, 'line\nbreak': 5 },
    { ends: 'backslash\\', next: 'x\\"y' },
    { nested: { a: [1, { b: '}' }], c: '{[' }, list: [[], {}, ['"]']], after: true },
    { n: -1.5e-7, t: true, f: false, z: null, last: 0 },
    { '2': 'index-like first', answer: 'y' },
    JSON.parse('{"__proto__":{"a":1},"answer":"u"}'),
    { e: '', arr: [], obj: {} },
  ];
  for (const value of values) {
    const text = JSON.stringify(value);
    it(`lists the keys JSON.parse would: ${text.slice(0, 60)}`, () => {
      expect(topLevelKeys(text)).toEqual(Object.keys(JSON.parse(text) as object));
    });
    it(`locates each member's value as JSON.stringify writes it: ${text.slice(0, 60)}`, () => {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      expect(topLevelMembers(text)!.map(({ key, start, end }) => [key, text.slice(start, end)])).toEqual(Object.keys(parsed).map((key) => [key, JSON.stringify(parsed[key])]));
    });
  }

  it('on JSON with whitespace between tokens gives the same keys or undefined, never wrong ones', () => {
    for (const text of ['{ "a": 1}', '{"a" : 1}', '{"a": {"b":1,"c":2}}', '{"a":"x" ,"b":1}', '{"a":1 }', '{"a":"x"\n}', '{"a":[1, {"b":2}] ,"c":3}']) {
      const keys = topLevelKeys(text);
      if (keys !== undefined) expect(keys, text).toEqual(Object.keys(JSON.parse(text) as object));
    }
    // A nested object after whitespace would read its inner keys as the outer ones.
    expect(topLevelKeys('{"a": {"b":1,"c":2}}')).toBeUndefined();
  });

  it("lists the keys of the member it is asked about in the same pass, or gives up where whitespace precedes one", () => {
    for (const value of values) {
      const text = JSON.stringify({ before: [{ x: 1 }], fields: value, after: { y: '}' } });
      const fields = topLevelMembers(text, 'fields')!.find((member) => member.key === 'fields')!;
      expect(fields.keys, text).toEqual(Object.keys(value as object));
    }
    expect(topLevelMembers('{"fields":["a"]}', 'fields')![0]!.keys).toBeUndefined();
    for (const text of ['{"fields":{ "a":1}}', '{"fields":{"a":1, "b":2}}']) expect(topLevelMembers(text, 'fields'), text).toBeUndefined();
    expect(topLevelMembers('{"fields":{"a":{ "b":1},"c":[1, 2]}}', 'fields')![0]!.keys).toEqual(['a', 'c']);
  });

  it('gives up on what is not an object', () => {
    for (const text of ['[1]', '"a"', '1', '', '{', '{"a":"unterminated}']) expect(topLevelKeys(text), text).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { isCanonicalJson } from '../../src/schema/canonical-json.js';
import { createRandom } from '../../bench/random.js';

const CHARS = ['a', 'Z', ' ', '"', '\\', '/', '\n', '\t', '\b', '\f', '\r', '\u0001', '\u001f', '\u007f', 'é', '€', '\u2028', '😀', '\ud800', '\udc00', '<', '0', '9', '-'];
const NUMBERS = [0, -0, 1, -1, 7, 42, -123456789, 123456789012345, 1234567890123456789, 0.5, -0.25, 1 / 3, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, 100, 2.5e10];
const KEYS = ['a', 'b', 'answer', 'topics', '__proto__', '', ' spaced', 'é', '0', '1', '10', '01', '-1', 'x"y', 'k\\n', '😀'];

function randomValue(random: () => number, depth: number): unknown {
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const kind = depth > 3 ? Math.floor(random() * 4) : Math.floor(random() * 6);
  switch (kind) {
    case 0:
      return Array.from({ length: Math.floor(random() * 6) }, () => pick(CHARS)).join('');
    case 1:
      return pick(NUMBERS);
    case 2:
      return pick([true, false, null]);
    case 3:
      return pick(['plain text', 'Wamplam grizir, "quoted" and \\ slashed / path', '']);
    case 4:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let index = Math.floor(random() * 4); index > 0; index--) object[pick(KEYS)] = randomValue(random, depth + 1);
      return object;
    }
  }
}

/** One edit a writer other than JSON.stringify could make; the text stays JSON (or is dropped by the caller). */
function variant(text: string, random: () => number): string {
  const at = Math.floor(random() * (text.length + 1));
  const edits: (() => string)[] = [
    () => text.slice(0, at) + pick([' ', '\n', '\t', '\r\n']) + text.slice(at),
    () => text.replace('/', '\\/'),
    () => text.replace(/[a-zA-Z]/, (letter) => `\\u${letter.charCodeAt(0).toString(16).padStart(4, '0')}`),
    () => text.replace(/\\u00([0-9a-f]{2})/, (_match, hex: string) => `\\u00${hex.toUpperCase()}`),
    () => text.replace('\\n', '\\u000a'),
    () => text.replace('😀', '\\ud83d\\ude00'),
    () => text.replace(/(?<![\\\w.])(\d+)(?![\d.e])/, '$1.0'),
    () => text.replace(/(?<![\\\w.])(\d+)(?![\d.e])/, '$1e0'),
    () => text.replace(/(?<![\\\w.])0(?![\d.e])/, '-0'),
    () => text.replace(/(?<![\\\w.])100(?![\d.e])/, '1e2'),
    () => text.replace(/^\{"([^"\\]*)":/, '{"$1":0,"$1":'),
    () => text.replace(/^\{/, '{"b":1,"0":2,'),
    () => text.replace(/^\{/, '{"1":2,"b":1,'),
    () => text.replace(/^\[/, '[ '),
  ];
  function pick<T>(items: readonly T[]): T {
    return items[Math.floor(random() * items.length)]!;
  }
  return pick(edits)();
}

describe('isCanonicalJson', () => {
  it('accepts what JSON.stringify writes (keys that do not start with a digit)', () => {
    const random = createRandom(7);
    let accepted = 0;
    for (let round = 0; round < 3000; round++) {
      const text = JSON.stringify(randomValue(random, 0));
      const parsed = JSON.parse(text) as unknown;
      if (/"\d[^"]*":/.test(text) || /\\ud[89a-f]/.test(text)) continue;
      expect(isCanonicalJson(text, parsed), text).toBe(true);
      accepted++;
    }
    expect(accepted).toBeGreaterThan(1000);
  });

  it('holds only where the text equals JSON.stringify(JSON.parse(text)), over random edits of stringified values', () => {
    const random = createRandom(2026);
    const tally = { kept: 0, refused: 0 };
    for (let round = 0; round < 20_000; round++) {
      let text = JSON.stringify(randomValue(random, 0));
      for (let edits = Math.floor(random() * 3); edits > 0; edits--) text = variant(text, random);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        continue;
      }
      if (isCanonicalJson(text, parsed)) {
        expect(text).toBe(JSON.stringify(parsed));
        tally.kept++;
      } else {
        tally.refused++;
      }
    }
    // Both sides are exercised.
    expect(tally.kept).toBeGreaterThan(2000);
    expect(tally.refused).toBeGreaterThan(2000);
  });

  it.each([
    ['whitespace between tokens', '{"a": 1}'],
    ['whitespace around the value', ' {"a":1}'],
    ['a fraction with a trailing zero', '{"a":1.0}'],
    ['an exponent stringify would not write', '{"a":1e2}'],
    ['an exponent without its sign', '{"a":1e21}'],
    ['minus zero', '{"a":-0}'],
    ['an escaped slash', '{"a":"\\/"}'],
    ['a letter as \\u escape', '{"a":"\\u0041"}'],
    ['a control escape in upper case', '{"a":"\\u001F"}'],
    ['a \\u escape where stringify writes \\n', '{"a":"\\u000a"}'],
    ['an escaped surrogate pair', '{"a":"\\ud83d\\ude00"}'],
    ['an escaped lone surrogate (stringify writes it; refused to stay simple)', '{"a":"\\ud800"}'],
    ['a repeated key', '{"a":1,"b":2,"a":3}'],
    ['an array index key after another', '{"b":1,"1":2}'],
    ['an array index key first (refused: any key led by a digit)', '{"1":2,"b":1}'],
    ['nesting deeper than 64', `${'['.repeat(70)}${']'.repeat(70)}`],
  ])('refuses %s', (_label, text) => {
    expect(isCanonicalJson(text, JSON.parse(text))).toBe(false);
  });

  it('refuses a raw lone surrogate, which stringify escapes', () => {
    const text = '{"a":"x\ud800y"}';
    expect(isCanonicalJson(text, JSON.parse(text))).toBe(false);
  });

  it.each([
    '{"a":"x\\"y\\\\z\\n\\t\\b\\f\\r"}',
    '{"a":"\\u001f\\u0000"}',
    '{"a":-1.5e-7,"b":1e+21,"c":0.1,"d":-12,"e":0}',
    '{"a":"😀 raw pair, \u2028 and \u007f raw"}',
    '{"a":[{"b":[]},{}],"c":null,"d":true,"e":false}',
    '{"a":"ends with a backslash\\\\","b":"\\\\\\""}',
  ])('accepts %s', (text) => {
    expect(text).toBe(JSON.stringify(JSON.parse(text)));
    expect(isCanonicalJson(text, JSON.parse(text))).toBe(true);
  });
});

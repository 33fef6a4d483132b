import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { codePointLength } from '../../src/schema/code-point-length.js';
import { compileOutputSchema } from '../../src/schema/output-schema.js';

const require = createRequire(import.meta.url);
const RUNTIME = 'ajv/dist/runtime/ucs2length';

/** ajv's own count, from a fresh copy of its module (the cached one holds ours once installed). */
function ajvUcs2length(): (text: string) => number {
  const path = require.resolve(RUNTIME);
  const cached = require.cache[path];
  delete require.cache[path];
  try {
    return (require(path) as { default: (text: string) => number }).default;
  } finally {
    if (cached) require.cache[path] = cached;
  }
}

describe('codePointLength', () => {
  it('counts as ajv does, over random strings of units, surrogates lone and paired', () => {
    const original = ajvUcs2length();
    expect(original).not.toBe(codePointLength);
    const units = ['a', ' ', 'é', '€', '\ud83d', '\ude00', '\udbff', '\udc00', '\ud800', '\udfff', '😀'];
    let state = 12345;
    const random = (): number => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296);
    for (let round = 0; round < 5000; round++) {
      const text = Array.from({ length: Math.floor(random() * 12) }, () => units[Math.floor(random() * units.length)]!).join('');
      expect(codePointLength(text), JSON.stringify(text)).toBe(original(text));
    }
    expect(codePointLength('x'.repeat(5000))).toBe(5000);
  });

  it('is what the validators compiled by output schemas count with', () => {
    compileOutputSchema('c', { type: 'object', properties: { t: { type: 'string', minLength: 1 } } });
    expect((require(RUNTIME) as { default: unknown }).default).toBe(codePointLength);
  });

  it('keeps minLength and maxLength counting characters, not UTF-16 units', () => {
    const output = compileOutputSchema('c', { type: 'object', properties: { t: { type: 'string', minLength: 2, maxLength: 3 } } });
    expect(output.validate({ t: '😀😀😀' }).ok).toBe(true);
    expect(output.validate({ t: '😀' })).toMatchObject({ ok: false, issues: [{ path: ['t'] }] });
    expect(output.validate({ t: '😀😀😀😀' })).toMatchObject({ ok: false, issues: [{ path: ['t'] }] });
    expect(output.validate({ t: '\ud800\ud800' }).ok).toBe(true);
  });
});

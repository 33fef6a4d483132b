import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../src/prompt/compile-template.js';
import { RenderMemo } from '../../src/prompt/render-memo.js';

describe('RenderMemo keys', () => {
  const memo = new RenderMemo(['a', 'b']);

  it('tells apart what a template can tell apart: missing, null, types', () => {
    const keys = [{}, { a: null }, { a: 1 }, { a: '1' }, { a: true }, { a: 'true' }, { b: 1 }, { a: 1, b: 1 }].map((fields) =>
      memo.keyFor(fields),
    );
    expect(keys.every((key) => key !== undefined)).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('ignores fields the template cannot read and treats undefined as missing', () => {
    expect(memo.keyFor({ a: 'x', other: 'long document' })).toBe(memo.keyFor({ a: 'x' }));
    expect(memo.keyFor({ a: 'x', b: undefined })).toBe(memo.keyFor({ a: 'x' }));
  });

  it('gives no key for values JSON cannot tell apart or a template reads into', () => {
    for (const value of [{ x: 1 }, [1], Number.NaN, Number.POSITIVE_INFINITY, -0, 10n, new Date(0), () => 'f']) {
      expect(memo.keyFor({ a: value })).toBeUndefined();
    }
    expect(memo.keyFor({ a: 'x'.repeat(5000) })).toBeUndefined();
  });
});

describe('RenderMemo bounds', () => {
  it('switches itself off when values rarely repeat, and stays on when they do', () => {
    const unique = new RenderMemo(['q']);
    const repeating = new RenderMemo(['q']);
    for (let index = 0; index < 5000; index++) {
      for (const [memo, value] of [
        [unique, `question ${index}`],
        [repeating, `persona ${index % 10}`],
      ] as const) {
        const key = memo.keyFor({ q: value });
        if (key !== undefined && memo.get(key) === undefined) memo.set(key, value);
      }
    }
    expect(unique.active).toBe(false);
    expect(unique.keyFor({ q: 'question 1' })).toBeUndefined();
    expect(repeating.active).toBe(true);
    expect(repeating.get(repeating.keyFor({ q: 'persona 3' })!)).toBe('persona 3');
  });
});

describe('compileTemplate with the memo', () => {
  it('renders exactly what a fresh template renders, over repeating and unique records', () => {
    const source =
      '{% if tone is defined %}[{{ tone }}] {% endif %}{{ product | upper }} for {{ persona }}' +
      '{% for i in range(level) %}!{% endfor %}{{ extra | default("-") }}';
    const shared = compileTemplate(source);
    // Independent small choices (a fixed LCG), so records repeat often yet no variable follows another.
    let state = 12345;
    const pick = (choices: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 16) % choices;
    };
    for (let index = 0; index < 3000; index++) {
      const extra = pick(10);
      const fields: Record<string, unknown> = {
        product: ['router', 'modem', 'switch'][pick(3)],
        persona: [null, 'null', 'novice', 0, false, '0'][pick(6)],
        level: pick(4),
        ...(pick(2) === 0 ? { tone: 'calm' } : {}),
        ...(extra === 0 ? { extra: index } : extra === 1 ? { extra: { nested: index } } : {}),
      };
      expect(shared.render(fields)).toBe(compileTemplate(source).render(fields));
    }
  });

  it('still reports a missing required variable when the same values were rendered before', () => {
    const template = compileTemplate('{{ product }} / {{ persona }}');
    expect(template.render({ product: 'router', persona: 'novice' })).toBe('router / novice');
    expect(() => template.render({ product: 'router' })).toThrow(/"persona" is not a field/);
  });

  it('does not remember a render that raised', () => {
    const template = compileTemplate('{% if fail %}{{ raise_exception("stop") }}{% endif %}ok');
    expect(() => template.render({ fail: true })).toThrow(/stop/);
    expect(() => template.render({ fail: true })).toThrow(/stop/);
    expect(template.render({ fail: false })).toBe('ok');
  });
});

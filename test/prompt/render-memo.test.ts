import { Environment, Interpreter, Template } from '@huggingface/jinja';
import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../src/prompt/compile-template.js';
import { createGlobalEnvironment } from '../../src/prompt/jinja-globals.js';
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

/** The template rendered whole by the library's interpreter: no memo, no splitting into parts. */
function renderWhole(source: string, fields: Record<string, unknown>): string {
  const scope = new Environment(createGlobalEnvironment());
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) scope.set(name, value);
  return String(new Interpreter(scope).run(new Template(source).parsed).value);
}

describe('compileTemplate, statement by statement', () => {
  const sources = [
    // Shaped like a support prompt: unique text, a list, numbers, an optional field with a default.
    'About their {{ product }}:\n"{{ question | trim }}"\n{% if tags %}Topics: {{ tags | join(", ") }}.{% endif %}\n' +
      '{% if priority > 2 %}Urgent.{% else %}Explain first.{% endif %} Reply in {{ locale | default("en") }}, ' +
      'at most {{ 120 if priority > 1 else 200 }} words.{% for i in range(priority) %}{{ loop.index }}{% endfor %}',
    // A set inside an if binds for the rest of the template: rendered whole, still the same text.
    '{% if priority > 1 %}{% set tone = "brisk" %}{% else %}{% set tone = "calm" %}{% endif %}{{ product }}: {{ tone }} {{ question }}',
    '{% macro shout(x) %}{{ x | upper }}!{% endmacro %}{{ shout(product) }} {{ question }}',
    '{{ product }}{# a comment #} {{ none }}{{ true }} {{ tags }} {{ question | length }}',
  ];

  it('renders exactly what the interpreter renders for the whole template, over unique and repeating records', () => {
    let state = 99;
    const pick = (choices: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 16) % choices;
    };
    for (const source of sources) {
      const template = compileTemplate(source);
      for (let index = 0; index < 3000; index++) {
        const fields: Record<string, unknown> = {
          product: ['router', 'modem', 'mesh system'][pick(3)],
          question: `  question ${index} about ${pick(5)}  `,
          tags: [[], ['wifi'], ['wifi', 'dns'], ['vpn', 'setup', 'billing']][pick(4)],
          priority: pick(4),
          ...(pick(3) === 0 ? { locale: ['de', 'fr'][pick(2)] } : {}),
        };
        expect(template.render(fields)).toBe(renderWhole(source, fields));
      }
    }
  });

  it('does not remember a part that raised, and raises in the same part again', () => {
    const template = compileTemplate('{{ product }}: {% if fail %}{{ raise_exception("stop " ~ product) }}{% endif %}ok');
    expect(() => template.render({ product: 'router', fail: true })).toThrow(/stop router/);
    expect(() => template.render({ product: 'router', fail: true })).toThrow(/stop router/);
    expect(template.render({ product: 'router', fail: false })).toBe('router: ok');
  });
});

import { Template } from '@huggingface/jinja';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../bench/random.js';
import { compileFastRenderer } from '../../src/prompt/compile-fast-renderer.js';
import { compileTemplate, type CompileTemplateOptions } from '../../src/prompt/compile-template.js';
import { JINJA_GLOBAL_NAMES, SHADOWABLE_GLOBAL_NAMES } from '../../src/prompt/jinja-globals.js';
import { DEFAULT_RENDER_LIMITS, type RenderLimits } from '../../src/prompt/render-limits.js';
import { findTemplateVariables } from '../../src/prompt/template-variables.js';

type Random = () => number;

/** What a render gave: its text, or its error as the caller sees it. */
function outcome(render: () => string): unknown {
  try {
    return { text: render() };
  } catch (error) {
    const coded = error as { name?: string; code?: string; message?: string; details?: unknown };
    return { error: error?.constructor?.name, name: coded.name, code: coded.code, message: coded.message, details: coded.details };
  }
}

function fastRendererOf(source: string, limits: RenderLimits) {
  const program = new Template(source).parsed;
  const { required, optional } = findTemplateVariables(program, JINJA_GLOBAL_NAMES);
  const render = compileFastRenderer(program, { readable: [...required, ...optional, ...SHADOWABLE_GLOBAL_NAMES], limits });
  return render && Object.assign(render, { required });
}

// ---- generated templates -------------------------------------------------------------------------

const pick = <T,>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const FIELDS = ['s', 't', 'n', 'f', 'b', 'z', 'l', 'm', 'o', 'e', 'missing', 'range', 'true', 'None', 'loop'];
/** What most expressions read: the fields records usually have. */
const COMMON_FIELDS = ['s', 't', 'n', 'f', 'b', 'l', 'm', 'o', 'e'];
const ATTRIBUTES = ['k', 'name', 'items', 'length', 'upper', 'get', 'nope', '__proto__', 'constructor'];
/** The words of the generated templates: `all` adds what the fast renderer leaves to the interpreter. */
interface Vocabulary {
  filters: string[];
  tests: string[];
  operators: string[];
  literals: string[];
  statements: string[];
}
const SUPPORTED: Vocabulary = {
  filters: ['upper', 'lower', 'title', 'capitalize', 'trim', 'length', 'tojson', 'first', 'last', 'join', 'string', 'safe'],
  tests: ['defined', 'undefined', 'none', 'string', 'number', 'integer', 'iterable', 'mapping', 'sequence', 'lower', 'upper', 'odd', 'even', 'boolean', 'true', 'false', 'callable'],
  operators: ['==', '!=', '<', '>', '<=', '>=', 'and', 'or', 'in', 'not in', '~', '+'],
  literals: ['"x"', "'é ✓'", '""', '0', '1', '-2', '2.5', 'true', 'none'],
  statements: ['{# a comment #}'],
};
const ALL: Vocabulary = {
  filters: [...SUPPORTED.filters, 'list', 'int', 'abs', 'sort'],
  tests: [...SUPPORTED.tests, 'divisibleby'],
  operators: [...SUPPORTED.operators, '-', '*', '/', '%'],
  literals: [...SUPPORTED.literals, '1.0', '[1, 2]', '{"k": 1}'],
  statements: [...SUPPORTED.statements, '{% set s = "shadow" %}', '{{ range(2) }}', '{{ s.upper() }}', '{{ l[1:] }}', '{% raw %}{{ x }}{% endraw %}'],
};
const TEXTS = ['Hello ', ' world', '\n', '"quoted"', 'ß → SS ', '😀', '{', '  ', 'a\\b', ''];

function expression(random: Random, words: Vocabulary, depth: number, loopVars: readonly string[]): string {
  const leaf = (): string => {
    const roll = random();
    if (roll < 0.45) {
      if (loopVars.length > 0 && random() < 0.5) return pick(random, [...loopVars, 'loop.index', 'loop.index0', 'loop.revindex', 'loop.first', 'loop.last', 'loop.length', 'loop.previtem', 'loop.nextitem', 'loop.revindex0', 'loop.nope']);
      return pick(random, random() < 0.8 ? COMMON_FIELDS : FIELDS);
    }
    if (roll < 0.75) return pick(random, words.literals);
    if (roll < 0.85) return `${pick(random, random() < 0.8 ? COMMON_FIELDS : FIELDS)}.${pick(random, ATTRIBUTES)}`;
    return `${pick(random, ['l', 's', 'o', 'm'])}[${pick(random, ['0', '-1', '5', '"k"', 'n', "'name'"])}]`;
  };
  if (depth <= 0) return leaf();
  const inner = () => expression(random, words, depth - 1, loopVars);
  const roll = random();
  if (roll < 0.3) return leaf();
  if (roll < 0.5) return `${inner()} | ${pick(random, words.filters)}`;
  if (roll < 0.6) return `${inner()} | ${pick(random, ['default', 'join'])}(${pick(random, ['', '"-"', "', '", '1', 'true', 'l', '"d", true', 'o.nope'])})`;
  if (roll < 0.7) return `${inner()} is ${random() < 0.3 ? 'not ' : ''}${pick(random, words.tests)}`;
  if (roll < 0.85) return `(${inner()} ${pick(random, words.operators)} ${inner()})`;
  if (roll < 0.93) return `(${inner()} if ${inner()} else ${inner()})`;
  return `not ${inner()}`;
}

function block(random: Random, words: Vocabulary, depth: number, loopVars: readonly string[]): string {
  const parts: string[] = [];
  const count = 1 + Math.floor(random() * 4);
  for (let index = 0; index < count; index++) {
    const roll = random();
    if (roll < 0.3) parts.push(pick(random, TEXTS));
    else if (roll < 0.65 || depth <= 0) parts.push(`{{ ${expression(random, words, 2, loopVars)} }}`);
    else if (roll < 0.8) {
      const elif = random() < 0.3 ? `{% elif ${expression(random, words, 1, loopVars)} %}${block(random, words, depth - 1, loopVars)}` : '';
      const otherwise = random() < 0.5 ? `{% else %}${block(random, words, depth - 1, loopVars)}` : '';
      parts.push(`{% if ${expression(random, words, 2, loopVars)} %}${block(random, words, depth - 1, loopVars)}${elif}${otherwise}{%- endif %}`);
    } else if (roll < 0.93) {
      const variable = pick(random, ['x', 'y', 's']);
      const iterable = pick(random, ['l', 'm', 'l', 'm', 'o', 'e', 's', 'o.nope', 'l | default([])', 'range(3)', 'n']);
      const otherwise = random() < 0.3 ? `{% else %}${block(random, words, depth - 1, loopVars)}` : '';
      parts.push(`{% for ${variable} in ${iterable} %}${block(random, words, depth - 1, [...loopVars, variable])}${otherwise}{% endfor %}`);
    } else parts.push(pick(random, words.statements));
  }
  return parts.join('');
}

// ---- generated records ---------------------------------------------------------------------------

const STRINGS = ['', 'a', 'Ada Lovelace', '  padded  ', 'ß straße', 'ÉCOLE', '"quoted" \\ back', 'line\nbreak\ttab', '😀 emoji', '\ud800 lone', 'mIxEd_case-words 2nd', 'k', 'name'];
const NUMBERS = [0, -0, 1, -7, 2.5, -0.125, 1e21, 2 ** 53 + 2, 1e-7, 3, 10, Number.NaN, Number.POSITIVE_INFINITY];

function value(random: Random, depth: number): unknown {
  const roll = random();
  if (roll < 0.3) return pick(random, STRINGS);
  if (roll < 0.5) return pick(random, NUMBERS);
  if (roll < 0.58) return random() < 0.5;
  if (roll < 0.64) return null;
  if (depth <= 0) return pick(random, STRINGS);
  if (roll < 0.82) return Array.from({ length: Math.floor(random() * 4) }, () => value(random, depth - 1));
  const object: Record<string, unknown> = {};
  for (let index = Math.floor(random() * 4); index > 0; index--) object[pick(random, ['k', 'name', 'items', 'z', '1', '__proto__'])] = value(random, depth - 1);
  return JSON.parse(JSON.stringify(object)) as unknown;
}

/** Mostly the kind a field's name suggests (as in real records), sometimes anything. */
function typedValue(random: Random, name: string): unknown {
  if (random() < 0.25) return value(random, 2);
  switch (name) {
    case 's':
    case 't':
      return pick(random, STRINGS);
    case 'n':
    case 'f':
      return pick(random, NUMBERS);
    case 'b':
      return random() < 0.5;
    case 'l':
    case 'm':
      return Array.from({ length: Math.floor(random() * 5) }, () => (random() < 0.8 ? pick(random, [...STRINGS, ...NUMBERS, true, null]) : value(random, 1)));
    case 'o':
    case 'e':
      return { k: value(random, 1), name: pick(random, STRINGS), ...(random() < 0.5 ? { items: value(random, 1) } : {}) };
    default:
      return value(random, 2);
  }
}

function record(random: Random): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const name of FIELDS) {
    const roll = random();
    if (roll < 0.08) continue;
    if (roll < 0.1) fields[name] = undefined;
    else fields[name] = typedValue(random, name);
  }
// A few records carry what JSON cannot: the fast renderer must leave those to the interpreter.
  if (random() < 0.03) fields['o'] = { when: new Date(0) };
  if (random() < 0.03) fields['l'] = [1, undefined, 2];
  if (random() < 0.02) fields['s'] = () => 'called';
  return fields;
}

// ---- the tests -----------------------------------------------------------------------------------

describe('compiled fast renderer', () => {
  const limitSets: Array<{ name: string; limits: Partial<RenderLimits> }> = [
    { name: 'default limits', limits: {} },
    { name: 'tight limits', limits: { maxChars: 40, maxItems: 4, maxSteps: 25 } },
  ];

  for (const { name, limits } of limitSets) {
    it(`renders exactly what the interpreter renders, or the same error, for generated templates and records (${name})`, () => {
      const random = createRandom(name === 'default limits' ? 1301 : 1302);
      const options: CompileTemplateOptions = { where: 'steps[0].prompt', limits, clock: () => 0 };
      const fullLimits = { ...DEFAULT_RENDER_LIMITS, ...limits };
      let compiledTemplates = 0;
      let fastRenders = 0;
      let renders = 0;
      for (let templateIndex = 0; templateIndex < 400; templateIndex++) {
        const source = block(random, random() < 0.75 ? SUPPORTED : ALL, 3, []);
        let reference: ReturnType<typeof compileTemplate>;
        try {
          reference = compileTemplate(source, { ...options, fastPath: false });
        } catch {
          continue; // not a template the parser accepts
        }
        const subject = compileTemplate(source, options);
        const fast = fastRendererOf(source, fullLimits);
        if (fast) compiledTemplates++;
        for (let recordIndex = 0; recordIndex < 30; recordIndex++) {
          const fields = record(random);
          const expected = outcome(() => reference.render(fields, `s0-${recordIndex}`));
          expect(outcome(() => subject.render(fields, `s0-${recordIndex}`)), `${JSON.stringify(source)} with ${String(JSON.stringify(fields))}`).toEqual(expected);
          renders++;
          const text = fast?.(fields);
          // compileTemplate checks the required fields before rendering; the fast renderer alone does not.
          if (text !== undefined && fast!.required.every((field) => fields[field] !== undefined)) {
            fastRenders++;
            expect({ text }, `${JSON.stringify(source)} fast`).toEqual(outcome(() => compileTemplate(source, { ...options, fastPath: false }).render(fields)));
          }
        }
      }
      // The generated templates mix supported and unsupported nodes: both paths must be exercised.
      expect(compiledTemplates).toBeGreaterThan(100);
      expect(fastRenders).toBeGreaterThan(renders / 20);
    });
  }

  it('compiles the templates recipes write and leaves the rest to the interpreter', () => {
    const limits = DEFAULT_RENDER_LIMITS;
    for (const source of [
      'A customer wrote about their {{ product }}:\n"{{ question | trim }}"\n{% if tags %}Related topics: {{ tags | join(", ") }}.{% endif %}',
      "{% if priority > 2 %}urgent{% else %}normal{% endif %} {{ locale | default('en') }} {{ 120 if priority > 1 else 200 }}",
      '{% for t in tags %}{{ loop.index }}. {{ t | title }}{% if not loop.last %}, {% endif %}{% endfor %}',
      '{{ user.name | upper }} {{ items[0] }} {{ meta | tojson }} {{ hint is defined }}',
    ]) {
      expect(fastRendererOf(source, limits), source).toBeDefined();
    }
    for (const source of ['{% set x = 1 %}{{ x }}', '{{ a - 1 }}', '{{ 1.0 }}', '{{ s.upper() }}', '{% macro m() %}{% endmacro %}', '{{ x | tojson(indent=2) }}', '{{ l[1:] }}']) {
      expect(fastRendererOf(source, limits), source).toBeUndefined();
    }
  });

  it('prints values by the engine rules', () => {
    const template = compileTemplate('{{ o }} {{ a }} [{{ n }}] {{ t }} {{ f }} {{ i }} {{ z }} {{ big }} {{ a | tojson }} {{ name | title }}');
    expect(
      template.render({ o: { b: 1, a: 'x' }, a: [1, 'two', null, [true]], n: null, t: true, f: 1.5, i: 7, z: -0, big: 1e21, name: "o'neil mcdonald 2nd_place x" }),
    ).toBe(`{"b": 1, "a": "x"} [1, "two", null, [true]] [] true 1.5 7 0 1e+21 [1, "two", null, [true]] O'Neil Mcdonald 2nd_place X`);
  });

  it('gives a record it cannot be sure of to the interpreter, which reports the error', () => {
    const template = compileTemplate('{{ name | upper }}', { where: 'steps[0].prompt' });
    expect(() => template.render({ name: ['a'] }, 's0-1')).toThrow(/rendering failed for record s0-1: Unknown ArrayValue filter: upper/);
    const printed = compileTemplate('{{ name.upper }}', { where: 'steps[0].prompt' });
    expect(() => printed.render({ name: 'a' }, 's0-2')).toThrow(/"name.upper" is a function or method/);
    const large = compileTemplate('{{ text | upper }}', { where: 'steps[0].prompt', limits: { maxChars: 10 } });
    expect(() => large.render({ text: 'x'.repeat(11) }, 's0-3')).toThrow(/render limit exceeded for record s0-3/);
  });
});

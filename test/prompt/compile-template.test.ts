import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SynthforgeError } from '../../src/errors.js';
import { compileTemplate } from '../../src/prompt/compile-template.js';
import { TemplateError } from '../../src/prompt/errors.js';

function render(source: string, fields: Record<string, unknown> = {}): string {
  return compileTemplate(source).render(fields);
}

function renderError(action: () => unknown): TemplateError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return error as TemplateError;
  }
  throw new Error('expected a TemplateError');
}

describe('rendering', () => {
  it('substitutes variables and attributes', () => {
    expect(render('A {{ persona }} asks about {{ device.name }}.', { persona: 'novice', device: { name: 'router' } })).toBe(
      'A novice asks about router.',
    );
  });

  it('renders conditionals', () => {
    const template = compileTemplate('{% if level > 2 %}hard{% elif level == 2 %}medium{% else %}easy{% endif %}');
    expect([1, 2, 3].map((level) => template.render({ level }))).toEqual(['easy', 'medium', 'hard']);
  });

  it('renders loops with loop variables', () => {
    expect(render('{% for t in tags %}{{ loop.index }}.{{ t }}{% if not loop.last %}, {% endif %}{% endfor %}', { tags: ['a', 'b', 'c'] })).toBe(
      '1.a, 2.b, 3.c',
    );
  });

  it('applies filters', () => {
    const fields = { name: '  Ada  ', tags: ['x', 'y'], note: null, meta: { k: 1 } };
    expect(render('{{ name | trim | upper }}|{{ tags | length }}|{{ tags | join("+") }}|{{ meta | tojson }}|{{ missing | default("n/a") }}', fields)).toBe(
      'ADA|2|x+y|{"k": 1}|n/a',
    );
  });

  it('renders objects and arrays as JSON, null as empty, booleans in lower case', () => {
    expect(render('{{ o }} {{ a }} [{{ n }}] {{ t }} {{ f }}', { o: { a: 1, b: 'x' }, a: [1, 'two'], n: null, t: true, f: 1.5 })).toBe(
      '{"a": 1, "b": "x"} [1, "two"] [] true 1.5',
    );
  });

  it('lets a field shadow a global function but not a literal', () => {
    expect(render('{{ range }}', { range: '10-20 km' })).toBe('10-20 km');
    expect(render('{{ true }}', { true: 'shadowed' })).toBe('true');
    expect(render('{% for i in range(3) %}{{ i }}{% endfor %}')).toBe('012');
    expect(render('{% for i in range(5, 0, -2) %}{{ i }}{% endfor %}')).toBe('531');
  });

  it('keeps template state out of the next render', () => {
    const template = compileTemplate('{% set seen = (seen if seen is defined else 0) + n %}{{ seen }}');
    expect(template.render({ n: 1 })).toBe('1');
    expect(template.render({ n: 1 })).toBe('1');
    const macro = compileTemplate('{% if m is defined %}leak{% endif %}{% macro m() %}{% endmacro %}{% set range = 1 %}');
    expect(macro.render({})).toBe('');
    expect(macro.render({})).toBe('');
    expect(compileTemplate('{{ range(2) }}').render({})).toBe('[0, 1]');
  });

  it('renders a nested missing attribute as Jinja does: empty', () => {
    expect(render('[{{ user.nickname }}]', { user: { name: 'Ada' } })).toBe('[]');
  });

  it('uses optional variables when present and tolerates their absence', () => {
    const template = compileTemplate('Q{% if hint is defined %} (hint: {{ hint }}){% endif %} {{ tone | default("neutral") }}');
    expect(template.render({})).toBe('Q neutral');
    expect(template.render({ hint: 'h', tone: 'warm' })).toBe('Q (hint: h) warm');
  });
});

describe('strict variables', () => {
  it('throws naming the variable, the template and the record instead of rendering empty', () => {
    const template = compileTemplate('Answer: {{ question }} for {{ persona }}', { where: 'steps[1].prompt' });
    const error = renderError(() => template.render({ persona: 'novice', product: 'modem' }, 's0-000003'));
    expect(error.message).toBe('template steps[1].prompt: "question" is not a field of record s0-000003; known: persona, product');
    expect(error.details).toEqual({ where: 'steps[1].prompt', recordId: 's0-000003', variable: 'question' });
    expect(error.code).toBe('template_render_failed');
    expect(error.exitCode).toBe(2);
    expect(SynthforgeError.isInstance(error)).toBe(true);
  });

  it('treats an undefined field as missing and null as present', () => {
    const template = compileTemplate('[{{ x }}]');
    expect(() => template.render({ x: undefined })).toThrow(TemplateError);
    expect(template.render({ x: null })).toBe('[]');
  });

  it('does not mistake inherited Object properties for fields', () => {
    expect(() => render('{{ constructor }}')).toThrow(/"constructor" is not a field/);
    expect(() => render('{{ toString }}')).toThrow(/"toString" is not a field/);
  });
});

describe('template errors', () => {
  it('reports a parse error with where', () => {
    const error = renderError(() => compileTemplate('Hello {{ name ', { where: 'steps[0].system' }));
    expect(error.message).toMatch(/^template steps\[0\]\.system: cannot parse template: /);
    expect(error.details).toEqual({ where: 'steps[0].system' });
  });

  it('explains an unclosed block', () => {
    expect(renderError(() => compileTemplate('{% if x %}open')).message).toContain('block left open');
    expect(renderError(() => compileTemplate('{% endfor %}')).message).toContain('cannot parse template');
  });

  it('wraps a runtime failure with where and record id', () => {
    const template = compileTemplate('{{ raise_exception("bad " ~ x) }}', { where: 'output.messages[0].content' });
    const error = renderError(() => template.render({ x: 'input' }, 'r-7'));
    expect(error.message).toBe('template output.messages[0].content: rendering failed for record r-7: bad input');
    expect(error.details).toEqual({ where: 'output.messages[0].content', recordId: 'r-7' });
  });

  it('rejects a source that is neither a string nor a function', () => {
    expect(() => compileTemplate(42 as never, { where: 'x' })).toThrow(/expected a template string or a function, got number/);
  });
});

describe('function templates', () => {
  it('renders with the fields and reports no variables', () => {
    const template = compileTemplate((fields) => `Q about ${String(fields['product'])}`);
    expect(template.variables).toEqual([]);
    expect(template.render({ product: 'modem' })).toBe('Q about modem');
  });

  it('cannot modify the record it renders', () => {
    const fields: Record<string, unknown> = { a: 1 };
    const template = compileTemplate((input) => {
      (input as Record<string, unknown>)['a'] = 2;
      return 'x';
    });
    expect(() => template.render(fields)).toThrow(TemplateError);
    expect(fields['a']).toBe(1);
  });

  it('must return a string', () => {
    const template = compileTemplate((() => 42) as never, { where: 'steps[0].prompt' });
    const error = renderError(() => template.render({}, 's0-000000'));
    expect(error.message).toBe('template steps[0].prompt: template function must return a string for record s0-000000, got number');
  });

  it('wraps an exception from the function', () => {
    const template = compileTemplate(() => {
      throw new Error('boom');
    });
    const error = renderError(() => template.render({}, 's1-000002'));
    expect(error.message).toBe('template: template function threw for record s1-000002: boom');
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe('safety', () => {
  const SECRET = 'sk-test-synthforge-canary-4f1d';
  beforeAll(() => {
    process.env['SYNTHFORGE_TEST_CANARY'] = SECRET;
  });
  afterAll(() => {
    delete process.env['SYNTHFORGE_TEST_CANARY'];
  });

  const probes = [
    "{{ ''.constructor }}",
    "{{ ''.constructor.constructor('return process')() }}",
    "{{ x.constructor }}",
    "{{ x.constructor.constructor('return process')() }}",
    "{{ x.constructor.constructor('return process.env')() | tojson }}",
    "{{ x.__proto__ }}",
    "{{ x['__proto__'] }}",
    "{{ x['constructor']['constructor']('return globalThis')() }}",
    "{{ s.__proto__.constructor }}",
    "{{ items.constructor }}",
    "{{ items.map }}",
    "{{ (1).constructor }}",
    "{{ s.valueOf() }}",
    "{{ process.env }}",
    "{{ process.env.SYNTHFORGE_TEST_CANARY }}",
    "{{ globalThis.process.env }}",
    "{{ require('child_process') }}",
    "{{ Function('return process')() }}",
    "{{ x | attr('constructor') }}",
    "{% set f = x.constructor %}{{ f }}",
    "{{ namespace.constructor }}",
    "{{ range.constructor('return process')() }}",
  ];

  it.each(probes)('%s renders empty or throws TemplateError, never evaluating JS', (source) => {
    const fields = { x: { a: 1 }, s: 'text', items: [1, 2] };
    let output = '';
    try {
      output = compileTemplate(source).render(fields);
    } catch (error) {
      expect(error).toBeInstanceOf(TemplateError);
      expect((error as Error).message).not.toContain(SECRET);
      return;
    }
    expect(output).toBe('');
  });

  it('leaks nothing even when records provide the names the strict check would reject', () => {
    // With these fields present the strict check passes, so every probe reaches the interpreter.
    const fields = { x: { a: 1 }, s: 'text', items: [1, 2], process: 'p', globalThis: 'g', require: 'r', Function: 'f' };
    const pathValue = process.env['PATH'] ?? SECRET;
    for (const probe of probes) {
      let output = '';
      try {
        output = compileTemplate(probe).render(fields);
      } catch (error) {
        expect(error).toBeInstanceOf(TemplateError);
        continue;
      }
      expect(output).not.toContain(SECRET);
      expect(output).not.toContain(pathValue);
    }
  });

  it('never runs code built from strings', () => {
    const attempts = [
      "{{ x.constructor.constructor('globalThis.synthforgePwned = 1')() }}",
      "{{ ''.constructor.constructor('globalThis.synthforgePwned = 1')() }}",
      "{{ range.constructor('globalThis.synthforgePwned = 1')() }}",
    ];
    for (const attempt of attempts) {
      try {
        compileTemplate(attempt).render({ x: {} });
      } catch (error) {
        expect(error).toBeInstanceOf(TemplateError);
      }
    }
    expect((globalThis as Record<string, unknown>)['synthforgePwned']).toBeUndefined();
  });

  it('treats a field named __proto__ or constructor as plain data', () => {
    const fields = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": "c"}') as Record<string, unknown>;
    expect(render('{{ constructor }}', fields)).toBe('c');
    expect(render('{{ __proto__.polluted }}', fields)).toBe('yes');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('a template that is one bare variable ({{ name }})', () => {
  /** What the template gives: its text, or the error's code and message. */
  function outcome(source: string, fields: Record<string, unknown>, options: Parameters<typeof compileTemplate>[1] = {}): string {
    try {
      return `text:${compileTemplate(source, options).render(fields, 'r1')}`;
    } catch (error) {
      return `error:${(error as SynthforgeError).code}:${(error as Error).message}`;
    }
  }

  it('renders what the interpreter renders, for every kind of value, spacing and whitespace control', () => {
    const values: unknown[] = ['', 'plain', ' padded\n', '<b>&"é😀</b>', '{{ not a template }}', 0, -1.5, 1e21, true, false, null, ['a', 1], { k: 'v', n: [1] }];
    for (const source of ['{{ name }}', '{{name}}', '{{- name -}}', '{{ name }}\n', '{{ range }}']) {
      for (const value of values) {
        const field = source.includes('range') ? 'range' : 'name';
        const fields = { [field]: value, other: 'x' };
        expect(outcome(source, fields), `${source} ${JSON.stringify(value)}`).toBe(outcome(source, fields, { fastPath: false }));
      }
      expect(outcome(source, { other: 'x' })).toBe(outcome(source, { other: 'x' }, { fastPath: false }));
    }
  });

  it('still stops a string longer than the render limit', () => {
    const limited = { limits: { maxChars: 5 } };
    expect(outcome('{{ name }}', { name: 'short' }, limited)).toBe('text:short');
    expect(outcome('{{ name }}', { name: 'too long' }, limited)).toMatch(/^error:template_limit_exceeded:/);
    expect(outcome('{{ name }}', { name: 'too long' }, limited)).toBe(outcome('{{ name }}', { name: 'too long' }, { ...limited, fastPath: false }));
  });
});

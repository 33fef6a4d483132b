import { describe, expect, it } from 'vitest';
import { compileTemplate, type CompileTemplateOptions } from '../../src/prompt/compile-template.js';
import { TemplateRenderError } from '../../src/prompt/errors.js';
import { DEFAULT_RENDER_LIMITS } from '../../src/prompt/render-limits.js';

function renderFailure(source: string, fields: Record<string, unknown> = {}, options: CompileTemplateOptions = {}): TemplateRenderError {
  // A clock that stands still unless a test moves it: the other bounds must fire on a loaded machine too.
  const template = compileTemplate(source, { where: 'steps[0].prompt', clock: () => 0, ...options });
  try {
    template.render(fields, 's0-000007');
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateRenderError);
    return error as TemplateRenderError;
  }
  throw new Error(`expected ${JSON.stringify(source)} to fail`);
}

describe('render bounds', () => {
  it('refuses range() longer than the item limit before building it', () => {
    const error = renderFailure('{% for i in range(100000000) %}{{ i }}{% endfor %}');
    expect(error.code).toBe('template_limit_exceeded');
    expect(error.exitCode).toBe(2);
    expect(error.details).toMatchObject({ where: 'steps[0].prompt', recordId: 's0-000007', limit: 'items' });
    expect(error.message).toBe(
      'template steps[0].prompt: render limit exceeded for record s0-000007: range() of 100,000,000 numbers is over the limit of 100,000',
    );
    expect(renderFailure('{{ range(0, 200001, 2) | length }}').details.limit).toBe('items');
  });

  it('stops nested loops at the step limit', () => {
    const error = renderFailure('{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}');
    expect(error.code).toBe('template_limit_exceeded');
    expect(error.details.limit).toBe('steps');
    expect(error.message).toContain(`stopped after ${DEFAULT_RENDER_LIMITS.maxSteps.toLocaleString('en-US')} steps`);
  });

  it('stops a render at the time limit', () => {
    let now = 0;
    // Each look at the clock moves it 10 ms: the bound fires after about a hundred looks.
    const clock = () => (now += 10);
    const error = renderFailure('{% for i in range(100000) %}{{ i }}{% endfor %}', {}, { clock });
    expect(error.details.limit).toBe('time');
    expect(error.message).toContain('stopped after 1,000 ms');
  });

  it('bounds strings a template builds by doubling', () => {
    const source = '{% set ns = namespace(s="0123456789") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}';
    const error = renderFailure(source);
    expect(error.details.limit).toBe('chars');
    expect(error.message).toMatch(/a string would be 10,485,760 characters, over the limit of 8,000,000/);
  });

  it('bounds lists that nest copies of themselves before they are printed', () => {
    const error = renderFailure('{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}{{ ns.l }}');
    expect(error.details.limit).toBe('items');
  });

  it('checks replace, split, indent, join and tojson from their arguments before they run', () => {
    const big = '{% set ns = namespace(s="0123456789") %}{% for i in range(19) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}';
    expect(renderFailure(`${big}{{ ns.s.replace("", ns.s) | length }}`).details.limit).toBe('chars');
    expect(renderFailure(`${big}{{ ns.s | replace("0", ns.s) | length }}`).details.limit).toBe('chars');
    expect(renderFailure(`${big}{{ ns.s.split("") | length }}`).code).toBe('template_render_failed');
    expect(renderFailure(`${big}{{ ns.s.split("0") | length }}`).details.limit).toBe('items');
    expect(renderFailure('{{ "a\\nb\\nc" | indent(500000000) }}').details.limit).toBe('chars');
    expect(renderFailure(`${big}{{ ns.s | join(ns.s) | length }}`).details.limit).toBe('chars');
    expect(renderFailure('{{ [[[[1, 2, 3]]]] | tojson(indent=100000000) }}').details.limit).toBe('chars');
  });

  it('bounds the rendered text, including what a prompt function returns', () => {
    const options = { limits: { maxChars: 100 } };
    expect(renderFailure('{{ doc }}', { doc: 'x'.repeat(101) }, options).details.limit).toBe('chars');
    expect(compileTemplate('{{ doc[:10] }}', options).render({ doc: 'x'.repeat(1000) })).toBe('x'.repeat(10));
    const fn = compileTemplate(() => 'y'.repeat(101), options);
    expect(() => fn.render({})).toThrow(/over the limit of 100/);
  });

  it('stops macros that call themselves without end', () => {
    const doubling = renderFailure('{% macro f(n) %}{% if n < 60 %}{{ f(n + 1) }}{{ f(n + 1) }}{% endif %}{% endmacro %}{{ f(0) }}');
    expect(doubling.details.limit).toBe('steps');
    // The library loses sight of a macro a few thousand calls deep: an error of this record, not a hang.
    const endless = renderFailure('{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}');
    expect(endless.code).toMatch(/^template_(render_failed|limit_exceeded)$/);
  });

  it('fails a record at the step bound whatever the records before it were', () => {
    // Two statements, each rendered and remembered on its own: the first costs ~45 steps for k = 10,
    // the second ~45 for a list of 10. Together they pass 70; a remembered first part must count too.
    const source = '{% for i in range(k) %}{% endfor %}|{% for c in q %}{% endfor %}';
    const options: CompileTemplateOptions = { where: 'steps[0].prompt', limits: { maxSteps: 70 }, clock: () => 0 };
    const heavy = { k: 10, q: Array.from({ length: 10 }, (_, index) => index) };
    const alone = renderFailure(source, heavy, options);
    expect(alone.details.limit).toBe('steps');
    const template = compileTemplate(source, options);
    expect(template.render({ k: 10, q: [] })).toBe('|');
    expect(() => template.render(heavy, 's0-000007')).toThrow(alone.message);
  });

  it('renders ordinary loops, filters and methods unchanged', () => {
    const items = Array.from({ length: 200 }, (_, index) => ({ name: `item ${index}`, tags: ['a', 'b'] }));
    const template = compileTemplate(
      '{% for item in items %}{{ loop.index }}. {{ item.name | upper }} [{{ item.tags | join(", ") }}]\n{% endfor %}{{ text.split(" ") | length }} {{ text | replace("a", "b") }}',
    );
    const output = template.render({ items, text: 'a b c' });
    expect(output.startsWith('1. ITEM 0 [a, b]\n2. ITEM 1 [a, b]\n')).toBe(true);
    expect(output.endsWith('3 b b c')).toBe(true);
  });
});

describe('a function printed instead of called', () => {
  it('is an error naming the expression, not the library source', () => {
    const error = renderFailure('Topic: {{ topic.split }}', { topic: 'tea and coffee' });
    expect(error.code).toBe('template_function_value');
    expect(error.exitCode).toBe(2);
    expect(error.details.variable).toBe('topic.split');
    expect(error.message).toBe(
      'template steps[0].prompt: "topic.split" is a function or method, not a value: call it (topic.split(…)) or leave it out (record s0-000007)',
    );
  });

  it('is caught wherever the value becomes text', () => {
    expect(renderFailure('{{ "x" ~ topic.upper }}', { topic: 't' }).details.variable).toBe('topic.upper');
    expect(renderFailure('{{ topic.split | default("") }}', { topic: 't' }).details.variable).toBe('topic.split | default');
    expect(renderFailure('{% macro m() %}hi{% endmacro %}{{ m }}').details.variable).toBe('m');
    expect(renderFailure('{{ range }}').details.variable).toBe('range');
    expect(renderFailure('{{ [topic.split] | join(",") }}', { topic: 't' }).code).toBe('template_function_value');
  });

  it('still calls methods and macros', () => {
    expect(compileTemplate('{% macro m(x) %}<{{ x }}>{% endmacro %}{{ m(topic.split() | join("|")) }}').render({ topic: 'a b' })).toBe('<a|b>');
  });
});

describe('TemplateRenderError.locate', () => {
  it('names the step and the record position the caller knows', () => {
    const error = renderFailure('{{ question }}', { topic: 't' });
    expect(error.step).toBeUndefined();
    expect(error.record).toBe('s0-000007');
    expect(error.locate({ step: 'answer', record: 'seeds/x.jsonl:57' })).toBe(error);
    expect(error.step).toBe('answer');
    expect(error.record).toBe('seeds/x.jsonl:57');
    expect(error.message).toBe('template steps[0].prompt of step "answer": "question" is not a field of record seeds/x.jsonl:57; known: topic');
    expect(error.details).toMatchObject({ step: 'answer', record: 'seeds/x.jsonl:57', variable: 'question' });
    expect(error.code).toBe('template_render_failed');
  });
});

import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../src/prompt/compile-template.js';

function variablesOf(source: string): { required: string[]; optional: string[] } {
  const template = compileTemplate(source);
  return { required: template.variables, optional: template.optionalVariables };
}

const required = (source: string) => variablesOf(source).required;

describe('template variables', () => {
  it('lists free names in order of first use, once each', () => {
    expect(required('Ask a {{ persona }} about {{ product }}; again {{ persona }}.')).toEqual(['persona', 'product']);
  });

  it('reports only the head of an attribute or index access', () => {
    expect(required('{{ user.name }} {{ items[0] }} {{ table[key] }} {{ text[1:limit] }}')).toEqual([
      'user',
      'items',
      'table',
      'key',
      'text',
      'limit',
    ]);
  });

  it('ignores names bound by for loops, including tuples and loop', () => {
    expect(required('{% for item in items %}{{ item.name }}{{ loop.index }}{% endfor %}')).toEqual(['items']);
    expect(required('{% for k, v in mapping.items() %}{{ k }}={{ v }}{% endfor %}')).toEqual(['mapping']);
    expect(required('{% for x in xs if x != skip %}{{ x }}{% else %}{{ empty }}{% endfor %}')).toEqual([
      'xs',
      'skip',
      'empty',
    ]);
  });

  it('does not let a loop variable escape its loop', () => {
    expect(required('{% for item in items %}{% endfor %}{{ item }}')).toEqual(['items', 'item']);
  });

  it('ignores names bound by set, in order', () => {
    expect(required('{% set greeting = "hi " ~ name %}{{ greeting }}')).toEqual(['name']);
    expect(required('{% set a, b = pair %}{{ a }}{{ b }}')).toEqual(['pair']);
    expect(required('{% set block %}{{ inner }}{% endset %}{{ block }}')).toEqual(['inner']);
    expect(required('{{ x }}{% set x = 1 %}{{ x }}')).toEqual(['x']);
    expect(required('{% set x = x + 1 %}')).toEqual(['x']);
  });

  it('reads the namespace object on attribute assignment', () => {
    expect(required('{% set ns = namespace(total=0) %}{% for n in nums %}{% set ns.total = ns.total + n %}{% endfor %}{{ ns.total }}')).toEqual(['nums']);
    expect(required('{% set counter.value = 1 %}')).toEqual(['counter']);
  });

  it('ignores macro names, parameters, defaults and caller, but sees outer reads in bodies', () => {
    const source =
      '{% macro card(title, body=fallback, tone="plain") %}{{ title }}{{ body }}{{ tone }}{{ footer }}{{ caller() if caller }}{% endmacro %}' +
      '{{ card(heading) }}{% call(row) card(heading) %}{{ row }}{{ extra }}{% endcall %}';
    expect(required(source)).toEqual(['fallback', 'footer', 'heading', 'extra']);
  });

  it('does not count filter or test names as variables, but reads their arguments', () => {
    expect(required('{{ tags | join(sep) | upper }}{% if n is odd %}{% endif %}{{ xs | map(attribute=attr) | list }}')).toEqual([
      'tags',
      'sep',
      'n',
      'xs',
      'attr',
    ]);
    expect(required('{% filter upper %}{{ body }}{% endfilter %}')).toEqual(['body']);
  });

  it('reads inside literals, conditionals and calls', () => {
    expect(required('{{ [a, (b, c), {"k": d, e: 1}] }}{{ f if g else h }}{{ fn(i, key=j) }}{{ -k }}{{ not l }}')).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
      'g',
      'f',
      'h',
      'fn',
      'i',
      'j',
      'k',
      'l',
    ]);
  });

  it('never reports globals and literals', () => {
    expect(required('{{ range(3) }}{{ true }}{{ none }}{{ False }}{{ namespace(a=1) }}{{ raise_exception }}')).toEqual([]);
  });

  it('treats strftime_now as a missing name: clock-dependent prompts are not reproducible', () => {
    expect(required('{{ strftime_now("%Y") }}')).toEqual(['strftime_now']);
  });

  it('makes names read only under a guard optional', () => {
    expect(variablesOf('{{ note | default("none") }}')).toEqual({ required: [], optional: ['note'] });
    expect(variablesOf('{% if note is defined %}Note: {{ note }}{% endif %}')).toEqual({ required: [], optional: ['note'] });
    expect(variablesOf('{% if note is undefined %}-{% else %}{{ note }}{% endif %}')).toEqual({ required: [], optional: ['note'] });
    expect(variablesOf('{% if note is not defined %}-{% else %}{{ note }}{% endif %}')).toEqual({ required: [], optional: ['note'] });
    expect(variablesOf('{% if not note is defined %}-{% elif x %}{{ note }}{% endif %}')).toEqual({ required: ['x'], optional: ['note'] });
    expect(variablesOf('{{ note if note is defined else "-" }}')).toEqual({ required: [], optional: ['note'] });
    expect(variablesOf('{% if a is defined and b is defined and a > b %}{{ a }}{% endif %}')).toEqual({ required: [], optional: ['a', 'b'] });
    expect(variablesOf('{% if a is undefined or a %}{% endif %}')).toEqual({ required: [], optional: ['a'] });
  });

  it('keeps a name required when any read is unguarded', () => {
    expect(variablesOf('{% if note is defined %}{{ note }}{% endif %}{{ note }}')).toEqual({ required: ['note'], optional: [] });
    expect(variablesOf('{% if note is defined %}{% else %}{{ note }}{% endif %}')).toEqual({ required: ['note'], optional: [] });
    expect(variablesOf('{% if a is defined or b %}{{ a }}{% endif %}')).toEqual({ required: ['a', 'b'], optional: [] });
    expect(variablesOf('{{ user.name | default("x") }}')).toEqual({ required: ['user'], optional: [] });
  });
});

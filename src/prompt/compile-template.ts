import { Environment, Interpreter, Template } from '@huggingface/jinja';
import type { Fields } from '../domain.js';
import { TemplateError } from './errors.js';
import { createGlobalEnvironment, JINJA_GLOBAL_NAMES, SHADOWABLE_GLOBAL_NAMES } from './jinja-globals.js';
import { RenderMemo } from './render-memo.js';
import { findTemplateVariables } from './template-variables.js';

/** A Jinja template string, or (in TS recipes) a function of the record's fields. */
export type TemplateSource = string | ((fields: Fields) => string);

export interface CompiledTemplate {
  /** Renders for one record; `recordId` only makes errors easier to trace. */
  render(fields: Fields, recordId?: string): string;
  /** Free top-level variables the record must provide; [] for functions. */
  readonly variables: string[];
  /** Variables read only under a guard (`is defined`, `| default`): used when present. */
  readonly optionalVariables: string[];
}

/**
 * Parses once, renders many times. Rendering goes through @huggingface/jinja's interpreter, which
 * never evaluates JavaScript: attribute access reads only a value's own fields and the engine's
 * listed builtins, so `''.constructor`, `x.__proto__` and the like render empty, and `process`,
 * `globalThis`, `require` are just names no record provides (a strict render rejects them).
 *
 * How values render (the engine's rules, kept so prompts port from Python unchanged where possible):
 * strings as is; integers and floats in shortest form; booleans as `true`/`false` (Python prints
 * `True`); null and undefined as the empty string (Python prints `None`); objects and arrays as JSON
 * with `", "` and `": "` separators, like Python's `tojson`. `join` on a list of objects prints
 * `[object Map]`, so map an attribute first (`items | map(attribute='name') | join(', ')`).
 */
export function compileTemplate(source: TemplateSource, context: { where?: string } = {}): CompiledTemplate {
  const where = context.where;
  if (typeof source === 'function') return compileFunctionTemplate(source, where);
  if (typeof source !== 'string') {
    throw new TemplateError(`${label(where)}: expected a template string or a function, got ${typeof source}`, {
      ...(where === undefined ? {} : { where }),
    });
  }

  const program = parseTemplate(source, where);
  const { required, optional } = findTemplateVariables(program, JINJA_GLOBAL_NAMES);
  // Global functions are never free variables, yet a record field of the same name shadows them.
  const readable = [...required, ...optional, ...SHADOWABLE_GLOBAL_NAMES];
  // Shared across renders: the interpreter only reads it. Everything a template binds (set, macros,
  // loop variables) lands in the per-render scope below or deeper.
  const globals = createGlobalEnvironment();
  const memo = new RenderMemo(readable);
  const parts = splitIntoParts(program);
  const scopeFor = (fields: Fields): Environment => {
    // Only the names the template can read are converted: a record may carry long documents
    // the template never touches.
    const scope = new Environment(globals);
    for (const name of readable) {
      if (Object.hasOwn(fields, name) && fields[name] !== undefined) {
        scope.set(name, fields[name]);
      }
    }
    return scope;
  };

  return {
    // Copies: a caller editing these lists must not change what render checks.
    variables: [...required],
    optionalVariables: [...optional],
    render(fields: Fields, recordId?: string): string {
      for (const name of required) {
        if (!Object.hasOwn(fields, name) || fields[name] === undefined) {
          throw missingVariableError(name, fields, where, recordId);
        }
      }
      const key = memo.keyFor(fields);
      const remembered = key === undefined ? undefined : memo.get(key);
      if (remembered !== undefined) return remembered;
      try {
        const output = parts ? renderParts(parts, () => scopeFor(fields), fields) : String(new Interpreter(scopeFor(fields)).run(program).value);
        if (key !== undefined) memo.set(key, output);
        return output;
      } catch (error) {
        throw new TemplateError(
          `${label(where)}: rendering failed${forRecord(recordId)}: ${messageOf(error)}`,
          details(where, recordId),
          { cause: error },
        );
      }
    },
  };
}

type Program = Template['parsed'];

/** A top-level statement of a template, run on its own, with a memo keyed by what it reads. */
interface TemplatePart {
  program: Program;
  memo: RenderMemo;
}

/**
 * A prompt whose whole output never repeats (it quotes the record's own question) still has parts
 * that do: the text between tags, `{% if priority > 2 %}…`, `{{ locale | default('en') }}`. Each
 * top-level statement is then rendered on its own and remembered by the values of the variables it
 * reads, so the interpreter runs only for the parts whose values are new (its runtime values cost
 * about 0.3 µs each to create, and a prompt creates a hundred or more).
 *
 * Rendering a template is the concatenation of rendering its top-level statements in order, each in
 * the same scope, as long as no statement binds a name a later one reads: a template with `set` or
 * `macro` anywhere (a `set` inside an `if` binds for the rest of the template) is rendered whole.
 * Undefined when splitting cannot help (one statement) or is not safe.
 */
function splitIntoParts(program: Program): TemplatePart[] | undefined {
  if (program.body.length < 2 || bindsNames(program)) return undefined;
  const ProgramNode = program.constructor as new (body: Program['body']) => Program;
  return program.body.map((statement: Program['body'][number]) => {
    const part = new ProgramNode([statement]);
    const { required, optional } = findTemplateVariables(part, JINJA_GLOBAL_NAMES);
    return { program: part, memo: new RenderMemo([...required, ...optional, ...SHADOWABLE_GLOBAL_NAMES]) };
  });
}

function renderParts(parts: readonly TemplatePart[], scopeFor: () => Environment, fields: Fields): string {
  let scope: Environment | undefined;
  let output = '';
  for (const part of parts) {
    const key = part.memo.keyFor(fields);
    const remembered = key === undefined ? undefined : part.memo.get(key);
    if (remembered !== undefined) {
      output += remembered;
      continue;
    }
    scope ??= scopeFor();
    const text = String(new Interpreter(scope).run(part.program).value);
    if (key !== undefined) part.memo.set(key, text);
    output += text;
  }
  return output;
}

/** Whether any node of the template binds a name (`set`, `macro`) that later statements could read. */
function bindsNames(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(bindsNames);
  if (node === null || typeof node !== 'object') return false;
  const type = (node as { type?: unknown }).type;
  if (type === 'Set' || type === 'Macro') return true;
  return Object.values(node).some((value) => value !== null && typeof value === 'object' && bindsNames(value));
}

function parseTemplate(source: string, where: string | undefined): Template['parsed'] {
  try {
    return new Template(source).parsed;
  } catch (error) {
    // The parser reports an unclosed block as a TypeError from reading past the last token.
    const reason =
      error instanceof TypeError ? `unexpected end of template; is a {% ... %} block left open? (${error.message})` : messageOf(error);
    throw new TemplateError(`${label(where)}: cannot parse template: ${reason}`, details(where), { cause: error });
  }
}

function compileFunctionTemplate(source: (fields: Fields) => string, where: string | undefined): CompiledTemplate {
  return {
    variables: [],
    optionalVariables: [],
    render(fields: Fields, recordId?: string): string {
      let result: unknown;
      try {
        // A frozen copy: a prompt function must not be able to edit the record it renders.
        result = source(Object.freeze({ ...fields }));
      } catch (error) {
        throw new TemplateError(
          `${label(where)}: template function threw${forRecord(recordId)}: ${messageOf(error)}`,
          details(where, recordId),
          { cause: error },
        );
      }
      if (typeof result !== 'string') {
        throw new TemplateError(
          `${label(where)}: template function must return a string${forRecord(recordId)}, got ${describe(result)}`,
          details(where, recordId),
        );
      }
      return result;
    },
  };
}

function missingVariableError(name: string, fields: Fields, where: string | undefined, recordId: string | undefined) {
  const known = Object.keys(fields).filter((key) => fields[key] !== undefined);
  const shown = known.length > 20 ? `${known.slice(0, 20).join(', ')}, …` : known.join(', ');
  return new TemplateError(
    `${label(where)}: "${name}" is not a field of record${recordId === undefined ? '' : ` ${recordId}`}; known: ${shown || '(none)'}`,
    { ...details(where, recordId), variable: name },
  );
}

function label(where: string | undefined): string {
  return where === undefined ? 'template' : `template ${where}`;
}

function forRecord(recordId: string | undefined): string {
  return recordId === undefined ? '' : ` for record ${recordId}`;
}

function details(where: string | undefined, recordId?: string): { where?: string; recordId?: string } {
  return { ...(where === undefined ? {} : { where }), ...(recordId === undefined ? {} : { recordId }) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

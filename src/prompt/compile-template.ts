import { Environment, Template } from '@huggingface/jinja';
import type { Fields } from '../domain.js';
import { BoundedInterpreter, FunctionValuePrinted, TemplateShape, ValueSizes } from './bounded-interpreter.js';
import { compileFastRenderer } from './compile-fast-renderer.js';
import { TemplateError, TemplateRenderError } from './errors.js';
import { createGlobalEnvironment, JINJA_GLOBAL_NAMES, SHADOWABLE_GLOBAL_NAMES } from './jinja-globals.js';
import { DEFAULT_RENDER_LIMITS, RenderBudget, RenderLimitExceeded, type RenderLimits } from './render-limits.js';
import { RenderMemo } from './render-memo.js';
import { findTemplateVariables } from './template-variables.js';

/** A Jinja template string, or (in TS recipes) a function of the record's fields. */
export type TemplateSource = string | ((fields: Fields) => string);

export interface CompileTemplateOptions {
  /** Where the template is written in the recipe, e.g. `steps[0].prompt`; named by every error. */
  where?: string;
  /** Bounds of one render; DEFAULT_RENDER_LIMITS for what is left out. */
  limits?: Partial<RenderLimits>;
  /** Milliseconds for the time bound; tests pass a clock they move by hand. */
  clock?: () => number;
  /** false: always render through the interpreter (the reference the fast renderer is tested against). */
  fastPath?: boolean;
}

export interface CompiledTemplate {
  /**
   * Renders for one record; `recordId` only makes errors easier to trace. A failure for this record
   * (a missing field, a bound of `RenderLimits` crossed, a function printed) is a TemplateRenderError.
   */
  render(fields: Fields, recordId?: string): string;
  /** Free top-level variables the record must provide; [] for functions. */
  readonly variables: string[];
  /** Variables read only under a guard (`is defined`, `| default`): used when present. */
  readonly optionalVariables: string[];
}

/**
 * Parses once, renders many times. Templates in the common subset render through closures built
 * from the parse (compile-fast-renderer.ts), which give the interpreter's exact text or leave the
 * record to it. The interpreter is @huggingface/jinja's, which never evaluates JavaScript: attribute access reads only a value's own fields and the engine's
 * listed builtins, so `''.constructor`, `x.__proto__` and the like render empty, and `process`,
 * `globalThis`, `require` are just names no record provides (a strict render rejects them).
 *
 * How values render (the engine's rules, kept so prompts port from Python unchanged where possible):
 * strings as is; integers and floats in shortest form; booleans as `true`/`false` (Python prints
 * `True`); null and undefined as the empty string (Python prints `None`); objects and arrays as JSON
 * with `", "` and `": "` separators, like Python's `tojson`. `join` on a list of objects prints
 * `[object Map]`, so map an attribute first (`items | map(attribute='name') | join(', ')`).
 */
export function compileTemplate(source: TemplateSource, context: CompileTemplateOptions = {}): CompiledTemplate {
  const where = context.where;
  const limits: RenderLimits = { ...DEFAULT_RENDER_LIMITS, ...context.limits };
  if (typeof source === 'function') return compileFunctionTemplate(source, where, limits);
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
  const globals = createGlobalEnvironment(limits);
  const memo = new RenderMemo(readable);
  const parts = splitIntoParts(program);
  const shape = new TemplateShape(program);
  // Most templates never need the interpreter; a record the fast renderer is unsure of still gets it.
  const fast = context.fastPath === false ? undefined : compileFastRenderer(program, { readable, limits });
  // `{{ question }}` of a string field prints the string itself: read it, as the fast renderer
  // would print it, without its per-render checks of every readable name (one such template per
  // message of every row a version writes).
  const bareField = fast ? bareFieldOf(program) : undefined;
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
      if (bareField !== undefined) {
        const value = fields[bareField];
        if (typeof value === 'string' && value.length <= limits.maxChars) return value;
      }
      const rendered = fast?.(fields);
      if (rendered !== undefined) return rendered;
      const key = memo.keyFor(fields);
      const remembered = key === undefined ? undefined : memo.get(key);
      if (remembered !== undefined) return remembered;
      try {
        const budget = new RenderBudget(limits, context.clock);
        const sizes = new ValueSizes();
        const interpreter = (scope: Environment) => new BoundedInterpreter(scope, budget, shape, sizes);
        const output = parts ? renderParts(parts, () => scopeFor(fields), interpreter, fields, budget) : String(interpreter(scopeFor(fields)).run(program).value);
        budget.checkChars(output.length, 'the rendered text');
        if (key !== undefined) memo.set(key, output);
        return output;
      } catch (error) {
        throw renderError(error, where, recordId);
      }
    },
  };
}

type Program = Template['parsed'];

/** A top-level statement of a template, run on its own, with a memo keyed by what it reads. */
interface TemplatePart {
  program: Program;
  memo: RenderMemo<RenderedPart>;
}

/** A part's text and the interpreter steps it took, charged again when the text is reused. */
interface RenderedPart {
  text: string;
  steps: number;
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
    return { program: part, memo: new RenderMemo<RenderedPart>([...required, ...optional, ...SHADOWABLE_GLOBAL_NAMES]) };
  });
}

/**
 * Renders part by part. A remembered part still costs the steps it took when it was rendered, so
 * whether a record passes the step bound does not depend on which records came before it.
 */
function renderParts(
  parts: readonly TemplatePart[],
  scopeFor: () => Environment,
  interpreter: (scope: Environment) => BoundedInterpreter,
  fields: Fields,
  budget: RenderBudget,
): string {
  let scope: Environment | undefined;
  let output = '';
  for (const part of parts) {
    const key = part.memo.keyFor(fields);
    const remembered = key === undefined ? undefined : part.memo.get(key);
    if (remembered !== undefined) {
      budget.spend(remembered.steps);
      output += remembered.text;
      continue;
    }
    scope ??= scopeFor();
    const before = budget.spent;
    const text = String(interpreter(scope).run(part.program).value);
    if (key !== undefined) part.memo.set(key, { text, steps: budget.spent - before });
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

/** The field a template made of one bare variable (`{{ name }}`, any spacing or `-`) prints; a global's name is not a field. */
function bareFieldOf(program: Program): string | undefined {
  if (program.body.length !== 1) return undefined;
  const node = program.body[0] as unknown as { type: string; value?: unknown };
  if (node.type !== 'Identifier' || typeof node.value !== 'string' || JINJA_GLOBAL_NAMES.has(node.value)) return undefined;
  return node.value;
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

function compileFunctionTemplate(source: (fields: Fields) => string, where: string | undefined, limits: RenderLimits): CompiledTemplate {
  return {
    variables: [],
    optionalVariables: [],
    render(fields: Fields, recordId?: string): string {
      let result: unknown;
      try {
        // A frozen copy: a prompt function must not be able to edit the record it renders.
        result = source(Object.freeze({ ...fields }));
      } catch (error) {
        throw new TemplateRenderError('template_render_failed', { ...details(where, recordId) }, (record) => `template function threw${forRecord(record)}: ${messageOf(error)}`, {
          cause: error,
        });
      }
      if (typeof result !== 'string') {
        throw new TemplateRenderError('template_render_failed', { ...details(where, recordId) }, (record) => `template function must return a string${forRecord(record)}, got ${describe(result)}`);
      }
      // A prompt function is the recipe author's own code and runs as it is; only what it returns is bounded.
      if (result.length > limits.maxChars) {
        throw renderError(new RenderLimitExceeded('chars', `the rendered text is ${result.length.toLocaleString('en-US')} characters, over the limit of ${limits.maxChars.toLocaleString('en-US')}`), where, recordId);
      }
      return result;
    },
  };
}

function missingVariableError(name: string, fields: Fields, where: string | undefined, recordId: string | undefined) {
  const known = Object.keys(fields).filter((key) => fields[key] !== undefined);
  const shown = known.length > 20 ? `${known.slice(0, 20).join(', ')}, …` : known.join(', ');
  return new TemplateRenderError(
    'template_render_failed',
    { ...details(where, recordId), variable: name },
    (record) => `"${name}" is not a field of record${record === undefined ? '' : ` ${record}`}; known: ${shown || '(none)'}`,
  );
}

/** What went wrong in one render, as the coded error of that record. */
function renderError(error: unknown, where: string | undefined, recordId: string | undefined): TemplateRenderError {
  const context = details(where, recordId);
  if (error instanceof RenderLimitExceeded) {
    return new TemplateRenderError('template_limit_exceeded', { ...context, limit: error.limit }, (record) => `render limit exceeded${forRecord(record)}: ${error.message}`, {
      cause: error,
    });
  }
  if (error instanceof RangeError && /invalid string length/i.test(error.message)) {
    // A loop appending to its output is not a value the interpreter hands back until the loop ends;
    // the engine's own string limit stops it first.
    return renderError(new RenderLimitExceeded('chars', 'a string would be longer than the JavaScript engine allows'), where, recordId);
  }
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return renderError(new RenderLimitExceeded('steps', 'macros call each other too deep'), where, recordId);
  }
  if (error instanceof FunctionValuePrinted) {
    return new TemplateRenderError('template_function_value', { ...context, variable: error.expression }, (record) => `${error.message}${forRecord(record, ' (record ', ')')}`, {
      cause: error,
    });
  }
  return new TemplateRenderError('template_render_failed', context, (record) => `rendering failed${forRecord(record)}: ${messageOf(error)}`, { cause: error });
}

function label(where: string | undefined): string {
  return where === undefined ? 'template' : `template ${where}`;
}

function forRecord(recordId: string | undefined, before = ' for record ', after = ''): string {
  return recordId === undefined ? '' : `${before}${recordId}${after}`;
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

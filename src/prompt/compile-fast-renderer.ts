/**
 * A compiled renderer for the templates recipes actually write: text, `{{ field }}`, `{{ a.b }}`,
 * `{{ a[0] }}`, the common filters, `if`/`elif`/`else`, `for` over a list or mapping with `loop.*`,
 * tests, comparisons and `x if c else y`. The template's AST is walked once; if every node is in that
 * subset it becomes a tree of closures that read the record's own values, and the interpreter
 * (bounded-interpreter.ts) is left for everything else. Rendering through the interpreter builds a
 * runtime value object per node and per field, which was most of planning's CPU.
 *
 * The one rule: a fast render returns exactly the interpreter's text, or gives up (`BAIL`) and lets
 * the interpreter render, errors included. It gives up when a value is not plain data, when an
 * operation would fail or is one whose result the interpreter types differently (arithmetic, a
 * comparison of strings), and before anything a render limit (render-limits.ts) could stop: a string
 * or list as large as the limits, or as many interpreter steps as would make it look at its clock.
 * So no error is ever raised here, and the limits, messages and `template_function_value` checks
 * stay where they are. test/prompt/compile-fast-renderer.test.ts renders generated templates and
 * records both ways and compares.
 */
import type { Template } from '@huggingface/jinja';
import type { Fields } from '../domain.js';
import { JINJA_GLOBAL_NAMES, JINJA_LITERALS } from './jinja-globals.js';
import { applyFilter, attribute, compareNumbers, concatenate, contains, item, MAPPING_METHODS, TESTS } from './plain-operations.js';
import {
  BAIL,
  containerSize,
  isContainer,
  isPlainData,
  isPlainObject,
  isTruthy,
  printValue,
  UNDEFINED,
  type FastValue,
  type PlainValue,
} from './plain-value.js';
import { CLOCK_CHECK_EVERY, LOOP_ITERATION_STEPS, type RenderLimits } from './render-limits.js';

/** The record's text, or undefined when the interpreter must render this record. */
export type FastRenderer = (fields: Fields) => string | undefined;

type Program = Template['parsed'];

/** The shape of @huggingface/jinja AST nodes, whose classes the package does not export. */
interface JinjaNode {
  type: string;
  [property: string]: unknown;
}

interface LoopFrame {
  items: readonly PlainValue[];
  index: number;
}

/** One render: the record, the loops running, and the interpreter steps it would have taken so far. */
interface RenderState {
  fields: Fields;
  frames: LoopFrame[];
  steps: number;
}

type Expression = (state: RenderState) => FastValue;
type Block = (state: RenderState) => string;

/** Thrown while compiling: this template is not in the subset. */
class Unsupported extends Error {}

const LOOP_ATTRIBUTES = new Set(['index', 'index0', 'revindex', 'revindex0', 'first', 'last', 'length', 'previtem', 'nextitem']);
/** The filters without arguments that `applyFilter` knows. */
const FILTERS = new Set(['safe', 'tojson', 'length', 'first', 'last', 'join', 'upper', 'lower', 'title', 'capitalize', 'trim', 'string']);

export interface FastRendererOptions {
  /** The names the interpreter's scope takes from the record (compile-template.ts). */
  readable: readonly string[];
  limits: RenderLimits;
}

/** A renderer for `program`, or undefined when some node of it is outside the subset. */
export function compileFastRenderer(program: Program, options: FastRendererOptions): FastRenderer | undefined {
  try {
    return new FastCompiler(options).compileProgram(program as unknown as JinjaNode);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

class FastCompiler {
  private readonly readable: ReadonlySet<string>;
  private readonly limits: RenderLimits;
  /** Loop variables of the `for` bodies being compiled, outermost first: a name's frame is its index. */
  private readonly loops: string[] = [];
  /** Nodes compiled so far in the current body: an upper bound on the interpreter's steps for it. */
  private nodes = 0;
  /**
   * The interpreter looks at its clock once it passes CLOCK_CHECK_EVERY steps, and stops at
   * `maxSteps`: a render that might reach either is left to it.
   */
  private readonly stepCeiling: number;

  constructor(options: FastRendererOptions) {
    this.readable = new Set(options.readable);
    this.limits = options.limits;
    this.stepCeiling = Math.min(CLOCK_CHECK_EVERY, options.limits.maxSteps + 1);
  }

  compileProgram(program: JinjaNode): FastRenderer {
    // The interpreter may run each top-level statement as a program of its own (compile-template.ts,
    // splitIntoParts), one more step each.
    this.nodes += 1 + (Array.isArray(program['body']) ? program['body'].length : 0);
    const body = this.block(program['body']);
    const fixedSteps = this.nodes;
    if (fixedSteps >= this.stepCeiling) throw new Unsupported();
    const names = [...this.readable];
    const { maxChars } = this.limits;
    return (fields) => {
      for (const name of names) {
        if (Object.hasOwn(fields, name) && fields[name] !== undefined && !isPlainData(fields[name])) return undefined;
      }
      try {
        const output = body({ fields, frames: [], steps: fixedSteps });
        return output.length > maxChars ? undefined : output;
      } catch (error) {
        // Anything else thrown (a stack overflow on a deep value) is the interpreter's to report too.
        return undefined;
      }
    };
  }

  private block(statements: unknown): Block {
    if (!Array.isArray(statements)) throw new Unsupported();
    const parts = statements.map((statement) => this.statement(statement as JinjaNode));
    if (parts.length === 0) return () => '';
    if (parts.length === 1) return parts[0]!;
    return (state) => {
      let output = '';
      for (let index = 0; index < parts.length; index++) output += parts[index]!(state);
      return output;
    };
  }

  private statement(node: JinjaNode): Block {
    switch (node.type) {
      case 'StringLiteral': {
        this.nodes++;
        const text = this.literalText(node);
        return () => text;
      }
      case 'Comment':
        this.nodes++;
        return () => '';
      case 'If':
        return this.ifStatement(node);
      case 'For':
        return this.forStatement(node);
      default: {
        const expression = this.expression(node);
        return (state) => printValue(expression(state));
      }
    }
  }

  private ifStatement(node: JinjaNode): Block {
    this.nodes++;
    const test = this.expression(node['test'] as JinjaNode);
    const body = this.block(node['body']);
    const alternate = this.block(node['alternate']);
    return (state) => (isTruthy(test(state)) ? body(state) : alternate(state));
  }

  /**
   * `for x in list` (or a mapping's keys), with `loop.*` and `else`. The loop variable and `loop` live
   * in the loop's own scope, so names resolve by where they are written. Each run charges its
   * iterations at the interpreter's price (LOOP_ITERATION_STEPS each, plus every node of the body).
   */
  private forStatement(node: JinjaNode): Block {
    this.nodes++;
    const loopvar = node['loopvar'] as JinjaNode;
    const iterableNode = node['iterable'] as JinjaNode;
    if (loopvar.type !== 'Identifier' || loopvar['value'] === 'loop' || iterableNode.type === 'SelectExpression') throw new Unsupported();
    const iterable = this.expression(iterableNode);
    const otherwise = this.block(node['defaultBlock']);
    const depth = this.loops.length;
    const outerNodes = this.nodes;
    this.nodes = 0;
    this.loops.push(String(loopvar['value']));
    const body = this.block(node['body']);
    this.loops.pop();
    const perIteration = LOOP_ITERATION_STEPS + this.nodes;
    this.nodes = outerNodes;
    const stepCeiling = this.stepCeiling;
    return (state) => {
      const value = iterable(state);
      let items: readonly PlainValue[];
      if (Array.isArray(value)) items = value;
      else if (isPlainObject(value)) items = Object.keys(value);
      else throw BAIL;
      state.steps += items.length * perIteration;
      if (state.steps >= stepCeiling) throw BAIL;
      if (items.length === 0) return otherwise(state);
      const frame: LoopFrame = { items, index: 0 };
      state.frames[depth] = frame;
      let output = '';
      for (let index = 0; index < items.length; index++) {
        frame.index = index;
        output += body(state);
      }
      return output;
    };
  }

  private expression(node: JinjaNode): Expression {
    this.nodes++;
    switch (node.type) {
      case 'StringLiteral': {
        const text = this.literalText(node);
        return () => text;
      }
      case 'IntegerLiteral': {
        const value = node['value'] as number;
        return () => value;
      }
      case 'FloatLiteral': {
        // `1.0` prints as `1.0` in the library; a JavaScript number cannot say it was written so.
        const value = node['value'] as number;
        if (Number.isInteger(value)) throw new Unsupported();
        return () => value;
      }
      case 'Identifier':
        return this.identifier(String(node['value']));
      case 'MemberExpression':
        return this.member(node);
      case 'FilterExpression':
        return this.sized(this.filter(node));
      case 'TestExpression':
        return this.test(node);
      case 'UnaryExpression': {
        if (operatorOf(node) !== 'not') throw new Unsupported();
        const argument = this.expression(node['argument'] as JinjaNode);
        return (state) => !isTruthy(argument(state));
      }
      case 'BinaryExpression':
        return this.binary(node);
      case 'Ternary': {
        const condition = this.expression(node['condition'] as JinjaNode);
        const whenTrue = this.expression(node['trueExpr'] as JinjaNode);
        const whenFalse = this.expression(node['falseExpr'] as JinjaNode);
        return this.sized((state) => (isTruthy(condition(state)) ? whenTrue(state) : whenFalse(state)));
      }
      default:
        throw new Unsupported();
    }
  }

  private literalText(node: JinjaNode): string {
    const text = String(node['value']);
    if (text.length > this.limits.maxChars) throw new Unsupported();
    return text;
  }

  /**
   * A loop variable of an enclosing `for`, else the record's field (when the interpreter's scope takes
   * it from the record), else a literal (`true`, `none`), else Undefined. A global function (`range`)
   * is not a value the subset handles.
   */
  private identifier(name: string): Expression {
    for (let depth = this.loops.length - 1; depth >= 0; depth--) {
      if (this.loops[depth] === name) {
        return (state) => {
          const frame = state.frames[depth]!;
          return frame.items[frame.index]!;
        };
      }
    }
    // `loop` alone would print the library's loop mapping; only its attributes are handled (member()).
    if (name === 'loop' && this.loops.length > 0) throw new Unsupported();
    const fromRecord = this.readable.has(name);
    if (JINJA_LITERALS.has(name)) {
      const literal = JINJA_LITERALS.get(name)!;
      return () => literal;
    }
    const globalFunction = JINJA_GLOBAL_NAMES.has(name);
    return (state) => {
      if (fromRecord && Object.hasOwn(state.fields, name)) {
        const value = state.fields[name];
        if (value !== undefined) return value as PlainValue;
      }
      if (globalFunction) throw BAIL;
      return UNDEFINED;
    };
  }

  private member(node: JinjaNode): Expression {
    const objectNode = node['object'] as JinjaNode;
    const property = node['property'] as JinjaNode;
    const computed = node['computed'] === true;
    if (objectNode.type === 'Identifier' && objectNode['value'] === 'loop' && this.loops.length > 0 && !this.loops.includes('loop')) {
      this.nodes++;
      if (computed || property.type !== 'Identifier') throw new Unsupported();
      return this.loopAttribute(String(property['value']));
    }
    const object = this.expression(objectNode);
    if (!computed) {
      if (property.type !== 'Identifier') throw new Unsupported();
      const name = String(property['value']);
      return (state) => attribute(object(state), name);
    }
    if (property.type === 'SliceExpression') throw new Unsupported();
    const key = this.expression(property);
    return (state) => {
      const target = object(state);
      const at = key(state);
      if (typeof at === 'string') return attribute(target, at);
      if (typeof at === 'number' && Number.isInteger(at)) return item(target, at);
      throw BAIL;
    };
  }

  private loopAttribute(name: string): Expression {
    if (MAPPING_METHODS.has(name)) throw new Unsupported();
    if (!LOOP_ATTRIBUTES.has(name)) return () => UNDEFINED;
    const depth = this.loops.length - 1;
    return (state) => {
      const { items, index } = state.frames[depth]!;
      switch (name) {
        case 'index':
          return index + 1;
        case 'index0':
          return index;
        case 'revindex':
          return items.length - index;
        case 'revindex0':
          return items.length - index - 1;
        case 'first':
          return index === 0;
        case 'last':
          return index === items.length - 1;
        case 'length':
          return items.length;
        case 'previtem':
          return index > 0 ? items[index - 1]! : UNDEFINED;
        default:
          return index < items.length - 1 ? items[index + 1]! : UNDEFINED;
      }
    };
  }

  private filter(node: JinjaNode): Expression {
    const operand = this.expression(node['operand'] as JinjaNode);
    const filter = node['filter'] as JinjaNode;
    if (filter.type === 'Identifier') {
      const name = String(filter['value']);
      if (!FILTERS.has(name)) throw new Unsupported();
      return (state) => applyFilter(name, operand(state));
    }
    const callee = filter['callee'] as JinjaNode | undefined;
    if (filter.type !== 'CallExpression' || callee?.type !== 'Identifier') throw new Unsupported();
    const args = filter['args'] as JinjaNode[];
    // Keyword and spread arguments change how the library reads the others.
    if (args.some((arg) => arg.type === 'KeywordArgumentExpression' || arg.type === 'SpreadExpression' || arg.type === 'KeywordSpreadExpression')) {
      throw new Unsupported();
    }
    const name = String(callee['value']);
    const positional = args.map((arg) => this.expression(arg));
    if (name === 'default') return this.defaultFilter(operand, positional);
    if (name === 'join') return this.joinFilter(operand, positional);
    throw new Unsupported();
  }

  /** `default(value, boolean=false)`: the value when the operand is Undefined (or, with `true`, false). */
  private defaultFilter(operand: Expression, args: Expression[]): Expression {
    return (state) => {
      const value = operand(state);
      const values = args.map((arg) => arg(state));
      const fallback = values.length > 0 ? values[0]! : '';
      const whenFalse = values.length > 1 ? values[1]! : false;
      if (typeof whenFalse !== 'boolean') throw BAIL;
      return value === UNDEFINED || (whenFalse && !isTruthy(value)) ? fallback : value;
    };
  }

  /**
   * `join(separator)` on a list of scalars or on a string (its code points). The interpreter checks
   * an estimate of the joined length against `maxChars` before joining (bounded-interpreter.ts,
   * checkJoin, where anything but a string counts 24 characters); a join that would fail it gives up.
   */
  private joinFilter(operand: Expression, args: Expression[]): Expression {
    const { maxChars } = this.limits;
    return (state) => {
      const value = operand(state);
      const values = args.map((arg) => arg(state));
      const separator = values.length > 0 ? values[0]! : '';
      if (typeof separator !== 'string') throw BAIL;
      if (typeof value === 'string') {
        if (value.length * (1 + separator.length) > maxChars) throw BAIL;
        return Array.from(value).join(separator);
      }
      if (!Array.isArray(value)) throw BAIL;
      let estimate = Math.max(0, value.length - 1) * separator.length;
      for (const entry of value as readonly PlainValue[]) {
        if (isContainer(entry)) throw BAIL;
        estimate += typeof entry === 'string' ? entry.length : 24;
      }
      if (estimate > maxChars) throw BAIL;
      return value.join(separator);
    };
  }

  private test(node: JinjaNode): Expression {
    const operand = this.expression(node['operand'] as JinjaNode);
    const testNode = node['test'] as JinjaNode;
    const predicate = testNode.type === 'Identifier' ? TESTS.get(String(testNode['value'])) : undefined;
    if (!predicate) throw new Unsupported();
    const negate = node['negate'] === true;
    return (state) => predicate(operand(state)) !== negate;
  }

  private binary(node: JinjaNode): Expression {
    const operator = operatorOf(node);
    const left = this.expression(node['left'] as JinjaNode);
    const right = this.expression(node['right'] as JinjaNode);
    switch (operator) {
      case 'and':
        return this.sized((state) => {
          const value = left(state);
          return isTruthy(value) ? right(state) : value;
        });
      case 'or':
        return this.sized((state) => {
          const value = left(state);
          return isTruthy(value) ? value : right(state);
        });
      case '==':
      case '!=':
        return (state) => {
          const a = left(state);
          const b = right(state);
          // The library compares wrapped values, so lists and mappings compare as objects it made.
          if (isContainer(a) || isContainer(b)) throw BAIL;
          // Loose equality, as the library's `left.value == right.value` (Undefined's value is undefined).
          const equal = (a === UNDEFINED ? undefined : a) == (b === UNDEFINED ? undefined : b);
          return operator === '==' ? equal : !equal;
        };
      case '<':
      case '>':
      case '<=':
      case '>=':
        return (state) => compareNumbers(operator, left(state), right(state));
      case 'in':
      case 'not in':
        return (state) => {
          const found = contains(left(state), right(state));
          return operator === 'in' ? found : !found;
        };
      case '~':
      case '+':
        return this.sized((state) => concatenate(operator, left(state), right(state)));
      default:
        throw new Unsupported();
    }
  }

  /**
   * The interpreter measures every value an expression builds (not a plain read of a field or an
   * attribute) against `maxChars` and `maxItems`; a value that could fail that gives up here.
   */
  private sized(expression: Expression): Expression {
    const { maxChars, maxItems } = this.limits;
    return (state) => {
      const value = expression(state);
      if (typeof value === 'string') {
        if (value.length > maxChars) throw BAIL;
      } else if (isContainer(value)) {
        const size = containerSize(value);
        if (size.chars > maxChars || size.items > maxItems) throw BAIL;
      }
      return value;
    };
  }
}

function operatorOf(node: JinjaNode): string {
  return String((node['operator'] as JinjaNode)['value']);
}

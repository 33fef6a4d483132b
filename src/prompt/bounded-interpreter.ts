import { Interpreter, type Environment } from '@huggingface/jinja';
import { LOOP_ITERATION_STEPS, type RenderBudget } from './render-limits.js';

/**
 * The package's declaration files import each other without extensions, which NodeNext resolution
 * cannot follow, so its runtime classes reach us untyped. These are the parts we rely on.
 */
interface RuntimeValue {
  readonly type: string;
  readonly value: unknown;
}
type Statement = object;
interface JinjaInterpreter {
  run(program: unknown): RuntimeValue;
  evaluate(statement: Statement | undefined, environment: Environment): RuntimeValue;
}
const InterpreterBase = Interpreter as unknown as new (environment: Environment) => JinjaInterpreter;

/** The shape of @huggingface/jinja AST nodes, whose classes the package does not export. */
interface JinjaNode {
  type: string;
  [property: string]: unknown;
}

/** What happens to a node's value after it is evaluated (bit flags). */
const PRINTED = 1;
const ITERATED = 2;
const JOINED = 4;

/** A value already computed, handed back to the library in place of the expression that made it. */
const PRECOMPUTED = 'SynthforgePrecomputed';

/** Filters whose output can outgrow their input many times over in one call: checked before they run. */
const AMPLIFYING_FILTERS = new Set(['replace', 'indent', 'join', 'tojson']);
/** String methods checked the same way. */
const AMPLIFYING_METHODS = new Set(['replace', 'split']);

/** A template printed a function (`{{ topic.split }}`) instead of calling it. */
export class FunctionValuePrinted extends Error {
  constructor(readonly expression: string) {
    super(`"${expression}" is a function or method, not a value: call it (${expression}(…)) or leave it out`);
    this.name = 'FunctionValuePrinted';
  }
}

/**
 * Where each node's value goes, found once per template: which values become text (a function
 * there would print the library's JavaScript source), which are looped over (their length is the
 * loop's cost) and which are joined.
 */
export class TemplateShape {
  private readonly roles = new WeakMap<object, number>();

  constructor(program: unknown) {
    this.walk(program);
  }

  roleOf(node: object): number {
    return this.roles.get(node) ?? 0;
  }

  private mark(node: unknown, role: number): void {
    if (isNode(node)) this.roles.set(node, this.roleOf(node) | role);
  }

  private walk(node: unknown): void {
    if (Array.isArray(node)) {
      for (const item of node) this.walk(item);
      return;
    }
    if (node instanceof Map) {
      for (const [key, value] of node) {
        this.walk(key);
        this.walk(value);
      }
      return;
    }
    if (!isNode(node)) return;
    for (const block of ['body', 'alternate', 'defaultBlock']) {
      const statements = node[block];
      if (Array.isArray(statements)) for (const statement of statements) this.mark(statement, PRINTED);
    }
    if (node.type === 'BinaryExpression') {
      const operator = (node['operator'] as { value?: unknown } | undefined)?.value;
      if (operator === '~' || operator === '+') {
        this.mark(node['left'], PRINTED);
        this.mark(node['right'], PRINTED);
      }
    } else if (node.type === 'For') {
      const iterable = node['iterable'] as JinjaNode;
      this.mark(iterable.type === 'SelectExpression' ? iterable['lhs'] : iterable, ITERATED);
    } else if (node.type === 'FilterExpression' && filterName(node['filter']) === 'join') {
      this.mark(node['operand'], JOINED);
    }
    for (const value of Object.values(node)) {
      if (value !== null && typeof value === 'object') this.walk(value);
    }
  }
}

/**
 * The library's interpreter with a bound on everything a template can make it do. Every evaluation
 * passes through `evaluate`, so that is where steps are counted and every value a template builds
 * is measured (strings by length, lists and mappings by their elements, nested ones included, so a
 * list of copies of itself cannot double thirty times and then be printed). The few builtins that
 * can make an output far larger than their input in one call (`replace`, `split`, `indent`, `join`
 * with a separator, `tojson` with an indent) are checked before they run, from their arguments.
 */
export class BoundedInterpreter extends InterpreterBase {
  /** The value the last evaluation returned: for `x.split`, the string `x`. */
  private last: RuntimeValue | undefined;

  constructor(
    environment: Environment,
    private readonly budget: RenderBudget,
    private readonly shape: TemplateShape,
    private readonly sizes: ValueSizes,
  ) {
    super(environment);
  }

  override evaluate(statement: Statement | undefined, environment: Environment): RuntimeValue {
    if (statement === undefined) return super.evaluate(statement, environment);
    const node = statement as unknown as JinjaNode;
    if (node.type === PRECOMPUTED) return node['value'] as RuntimeValue;
    this.budget.spend(1);
    let value =
      node.type === 'FilterExpression' && AMPLIFYING_FILTERS.has(filterName(node['filter']))
        ? this.evaluateCheckedFilter(node, environment)
        : super.evaluate(statement, environment);
    const role = this.shape.roleOf(node);
    if (value.type === 'FunctionValue') {
      if (role & PRINTED) throw new FunctionValuePrinted(describeExpression(node));
      if (node.type === 'MemberExpression' && node['computed'] !== true && this.last?.type === 'StringValue') {
        value = this.guardStringMethod(String((node['property'] as JinjaNode)['value']), this.last, value);
      }
    }
    if (role & ITERATED) this.spendIterations(value);
    if (role & JOINED) this.checkJoinedItems(value, node);
    // Reading a variable or an attribute makes nothing new: a record may carry a long document that
    // the template only slices.
    if (node.type !== 'Identifier' && node.type !== 'MemberExpression') this.checkSize(value);
    this.last = value;
    return value;
  }

  private spendIterations(value: RuntimeValue): void {
    const length = value.type === 'ArrayValue' || value.type === 'TupleValue' ? (value.value as unknown[]).length : value.type === 'ObjectValue' ? (value.value as Map<unknown, unknown>).size : 0;
    this.budget.spend(length * LOOP_ITERATION_STEPS);
  }

  private checkJoinedItems(value: RuntimeValue, node: JinjaNode): void {
    if (value.type !== 'ArrayValue' && value.type !== 'TupleValue') return;
    for (const item of value.value as RuntimeValue[]) {
      if (item.type === 'FunctionValue') throw new FunctionValuePrinted(`an item of ${describeExpression(node)}`);
    }
  }

  private checkSize(value: RuntimeValue): void {
    if (value.type === 'StringValue') {
      this.budget.checkChars((value.value as string).length, 'a string');
    } else if (isContainer(value)) {
      const size = this.sizes.of(value);
      this.budget.checkItems(size.items, 'a list or mapping');
      this.budget.checkChars(size.chars, 'a list or mapping');
    }
  }

  /**
   * Evaluates the operand and arguments of an amplifying filter in the library's order, checks what
   * the filter would produce, then lets the library apply it to the computed values.
   */
  private evaluateCheckedFilter(node: JinjaNode, environment: Environment): RuntimeValue {
    const filter = node['filter'] as JinjaNode;
    const args = filter.type === 'CallExpression' ? (filter['args'] as JinjaNode[]) : [];
    const spreads = args.some((arg) => arg.type === 'SpreadExpression' || arg.type === 'KeywordSpreadExpression');
    if (filter.type !== 'CallExpression' || spreads) return super.evaluate(node as unknown as Statement, environment);
    const operand = this.evaluate(node['operand'] as unknown as Statement, environment);
    const positional: RuntimeValue[] = [];
    const keywords = new Map<string, RuntimeValue>();
    for (const arg of args) {
      if (arg.type !== 'KeywordArgumentExpression') positional.push(this.evaluate(arg as unknown as Statement, environment));
    }
    for (const arg of args) {
      if (arg.type === 'KeywordArgumentExpression') {
        keywords.set(String((arg['key'] as JinjaNode)['value']), this.evaluate(arg['value'] as unknown as Statement, environment));
      }
    }
    this.checkFilterOutput(filterName(filter), operand, positional, keywords);
    const precomputed = (value: RuntimeValue) => ({ type: PRECOMPUTED, value });
    const replayed = {
      type: 'FilterExpression',
      operand: precomputed(operand),
      filter: {
        type: 'CallExpression',
        callee: filter['callee'],
        args: [
          ...positional.map(precomputed),
          ...[...keywords].map(([key, value]) => ({ type: 'KeywordArgumentExpression', key: { type: 'Identifier', value: key }, value: precomputed(value) })),
        ],
      },
    };
    return super.evaluate(replayed as unknown as Statement, environment);
  }

  private checkFilterOutput(name: string, operand: RuntimeValue, positional: RuntimeValue[], keywords: Map<string, RuntimeValue>): void {
    const argument = (index: number, keyword: string) => positional[index] ?? keywords.get(keyword);
    if (name === 'replace' && operand.type === 'StringValue') {
      this.checkReplace(operand.value as string, positional[0], positional[1], positional[2] ?? keywords.get('count'));
    } else if (name === 'indent' && operand.type === 'StringValue') {
      const width = argument(0, 'width');
      if (width?.type === 'IntegerValue') {
        const text = operand.value as string;
        this.budget.checkChars(text.length + (countOf(text, '\n') + 1) * Math.max(0, width.value as number), 'the indented text');
      }
    } else if (name === 'join') {
      const separator = argument(0, 'separator');
      if (separator?.type === 'StringValue') this.checkJoin(operand, (separator.value as string).length);
    } else if (name === 'tojson') {
      const indent = keywords.get('indent');
      if (indent?.type === 'IntegerValue' && isContainer(operand)) {
        const size = this.sizes.of(operand);
        this.budget.checkChars(6 * size.chars + size.items * (32 + Math.max(0, indent.value as number) * (size.depth + 1)), 'the JSON text');
      }
    }
  }

  private checkJoin(operand: RuntimeValue, separatorLength: number): void {
    if (operand.type === 'StringValue') {
      const text = operand.value as string;
      this.budget.checkChars(text.length * (1 + separatorLength), 'the joined text');
    } else if (operand.type === 'ArrayValue' || operand.type === 'TupleValue') {
      const items = operand.value as RuntimeValue[];
      let length = Math.max(0, items.length - 1) * separatorLength;
      for (const item of items) length += typeof item.value === 'string' ? item.value.length : 24;
      this.budget.checkChars(length, 'the joined text');
    }
  }

  private checkReplace(text: string, from: RuntimeValue | undefined, to: RuntimeValue | undefined, count: RuntimeValue | undefined): void {
    if (from?.type !== 'StringValue' || to?.type !== 'StringValue') return;
    const [search, replacement] = [from.value as string, to.value as string];
    if (replacement.length <= search.length) return;
    // An empty search matches before every character and at the end.
    let occurrences = search === '' ? text.length + 1 : countOf(text, search);
    if (count?.type === 'IntegerValue' && (count.value as number) >= 0) occurrences = Math.min(occurrences, count.value as number);
    this.budget.checkChars(text.length + occurrences * (replacement.length - search.length), 'the replaced text');
  }

  /** Wraps `s.replace` and `s.split` so their arguments are checked before the library runs them. */
  private guardStringMethod(name: string, receiver: RuntimeValue, method: RuntimeValue): RuntimeValue {
    if (!AMPLIFYING_METHODS.has(name)) return method;
    const text = receiver.value as string;
    const call = method.value as (args: RuntimeValue[], scope: Environment) => RuntimeValue;
    const FunctionValue = method.constructor as new (value: unknown) => RuntimeValue;
    return new FunctionValue((args: RuntimeValue[], scope: Environment) => {
      if (name === 'replace') {
        const last = args.at(-1);
        const count = last?.type === 'KeywordArgumentsValue' ? (last.value as Map<string, RuntimeValue>).get('count') : args[2];
        this.checkReplace(text, args[0], args[1], count);
      } else {
        const separator = args[0];
        const pieces = separator?.type === 'StringValue' && separator.value !== '' ? countOf(text, separator.value as string) + 1 : countWords(text);
        this.budget.checkItems(pieces, 'split()');
      }
      return call(args, scope);
    });
  }
}

export interface ValueSize {
  /** Characters of every string inside, keys included. */
  chars: number;
  /** Elements of every list and mapping inside. */
  items: number;
  /** How deep lists and mappings nest. */
  depth: number;
}

/**
 * Sizes of lists and mappings, remembered per value: a list built from earlier lists is measured in
 * time proportional to its own length, not to everything under it.
 */
export class ValueSizes {
  private readonly known = new WeakMap<object, ValueSize>();

  of(value: RuntimeValue): ValueSize {
    if (value.type === 'StringValue') return { chars: (value.value as string).length, items: 0, depth: 0 };
    if (!isContainer(value)) return { chars: 0, items: 0, depth: 0 };
    const remembered = this.known.get(value);
    if (remembered) return remembered;
    const size: ValueSize = { chars: 0, items: 0, depth: 1 };
    const add = (child: RuntimeValue) => {
      const inner = this.of(child);
      size.chars += inner.chars;
      size.items += 1 + inner.items;
      size.depth = Math.max(size.depth, inner.depth + 1);
    };
    if (value.value instanceof Map) {
      for (const [key, child] of value.value as Map<string, RuntimeValue>) {
        size.chars += key.length;
        add(child);
      }
    } else {
      for (const child of value.value as RuntimeValue[]) add(child);
    }
    this.known.set(value, size);
    return size;
  }
}

function isContainer(value: RuntimeValue): boolean {
  return value.type === 'ArrayValue' || value.type === 'TupleValue' || value.type === 'ObjectValue' || value.type === 'NamespaceValue' || value.type === 'KeywordArgumentsValue';
}

function isNode(value: unknown): value is JinjaNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

function filterName(filter: unknown): string {
  if (!isNode(filter)) return '';
  const callee = filter.type === 'CallExpression' ? filter['callee'] : filter;
  return isNode(callee) && callee.type === 'Identifier' ? String(callee['value']) : '';
}

/** `topic.split`, `item["name"]`, `m` — how the template wrote the expression, for messages. */
export function describeExpression(node: JinjaNode): string {
  switch (node.type) {
    case 'Identifier':
      return String(node['value']);
    case 'MemberExpression': {
      const object = describeExpression(node['object'] as JinjaNode);
      const property = node['property'] as JinjaNode;
      if (node['computed'] !== true) return `${object}.${String(property['value'])}`;
      return property.type === 'StringLiteral' || property.type === 'IntegerLiteral' ? `${object}[${JSON.stringify(property['value'])}]` : `${object}[…]`;
    }
    case 'CallExpression':
      return `${describeExpression(node['callee'] as JinjaNode)}(…)`;
    case 'FilterExpression':
      return `${describeExpression(node['operand'] as JinjaNode)} | ${filterName(node['filter'])}`;
    default:
      return 'an expression';
  }
}

function countOf(text: string, search: string): number {
  let count = 0;
  for (let index = text.indexOf(search); index !== -1; index = text.indexOf(search, index + search.length)) count++;
  return count;
}

function countWords(text: string): number {
  const word = /\S+/g;
  let count = 0;
  while (word.exec(text) !== null) count++;
  return count;
}

/**
 * The free top-level variables of a parsed Jinja template: names it reads that nothing inside the
 * template binds (`for` targets, `set`, macro and call-block parameters, `loop`, `caller`, `varargs`,
 * `kwargs`, macro names) and that are not globals. Only the head of an access counts:
 * `{{ user.name }}` reads `user`.
 *
 * The walk follows evaluation order, so `{{ x }}{% set x = 1 %}` reads a free `x`. Scopes follow the
 * @huggingface/jinja interpreter: `for` bodies, macro bodies and call blocks open a scope, `if` does not
 * (a `set` inside an `if` binds for the rest of the enclosing scope, whichever branch ran). Macro
 * bodies are analysed where they are defined.
 *
 * A read is *guarded* when the template copes with the name being absent:
 * - `x is defined` / `x is undefined` (and `not`), as a test;
 * - `x | default(...)`;
 * - any read inside a branch that a guard proves taken only when `x` exists:
 *   `{% if x is defined %}{{ x }}{% endif %}`, `x if x is defined else "-"`, `x is defined and x`.
 * A name read only under guards is optional; one read at least once unguarded is required.
 */
export interface TemplateVariables {
  /** Names the record must provide, in order of first use. */
  required: string[];
  /** Names read only under a guard: used when present, harmless when absent. */
  optional: string[];
}

/** The shape of @huggingface/jinja AST nodes, whose classes the package does not export. */
interface JinjaNode {
  type: string;
  [property: string]: unknown;
}

interface Guards {
  /** Names known to be defined when the expression is true. */
  whenTrue: ReadonlySet<string>;
  /** Names known to be defined when the expression is false. */
  whenFalse: ReadonlySet<string>;
}

const NO_NAMES: ReadonlySet<string> = new Set();
const NO_GUARDS: Guards = { whenTrue: NO_NAMES, whenFalse: NO_NAMES };
const MACRO_IMPLICIT_NAMES = ['caller', 'varargs', 'kwargs'];

class Scope {
  private readonly names = new Set<string>();

  constructor(private readonly parent?: Scope) {}

  bind(name: string): void {
    this.names.add(name);
  }

  has(name: string): boolean {
    return this.names.has(name) || (this.parent?.has(name) ?? false);
  }
}

export function findTemplateVariables(program: unknown, globals: ReadonlySet<string>): TemplateVariables {
  const collector = new VariableCollector(globals);
  collector.visit(program as JinjaNode, new Scope(), NO_NAMES);
  return collector.result();
}

class VariableCollector {
  /** name → read unguarded at least once; insertion order is first-use order. */
  private readonly reads = new Map<string, boolean>();

  constructor(private readonly globals: ReadonlySet<string>) {}

  result(): TemplateVariables {
    const entries = [...this.reads];
    return {
      required: entries.filter(([, unguarded]) => unguarded).map(([name]) => name),
      optional: entries.filter(([, unguarded]) => !unguarded).map(([name]) => name),
    };
  }

  /** Walks any node; returns what it proves about defined names when used as a condition. */
  visit(node: JinjaNode, scope: Scope, guarded: ReadonlySet<string>): Guards {
    switch (node.type) {
      case 'Program':
        this.visitAll(node['body'], scope, guarded);
        return NO_GUARDS;
      case 'If': {
        const test = this.visit(child(node, 'test'), scope, guarded);
        this.visitAll(node['body'], scope, union(guarded, test.whenTrue));
        this.visitAll(node['alternate'], scope, union(guarded, test.whenFalse));
        return NO_GUARDS;
      }
      case 'For':
        this.visitFor(node, scope, guarded);
        return NO_GUARDS;
      case 'Set':
        this.visitSet(node, scope, guarded);
        return NO_GUARDS;
      case 'Macro':
        this.visitMacro(node, scope);
        return NO_GUARDS;
      case 'CallStatement':
        this.visitCallStatement(node, scope, guarded);
        return NO_GUARDS;
      case 'FilterStatement':
        this.visitFilterArguments(child(node, 'filter'), scope, guarded);
        this.visitAll(node['body'], scope, guarded);
        return NO_GUARDS;
      case 'Identifier':
        this.read(identifierName(node), scope, guarded);
        return NO_GUARDS;
      case 'MemberExpression':
        this.visit(child(node, 'object'), scope, guarded);
        if (node['computed'] === true) this.visit(child(node, 'property'), scope, guarded);
        return NO_GUARDS;
      case 'FilterExpression':
        return this.visitFilterExpression(node, scope, guarded);
      case 'TestExpression':
        return this.visitTestExpression(node, scope, guarded);
      case 'BinaryExpression':
        return this.visitBinaryExpression(node, scope, guarded);
      case 'UnaryExpression': {
        const argument = this.visit(child(node, 'argument'), scope, guarded);
        return operatorOf(node) === 'not' ? { whenTrue: argument.whenFalse, whenFalse: argument.whenTrue } : NO_GUARDS;
      }
      case 'Ternary': {
        const condition = this.visit(child(node, 'condition'), scope, guarded);
        this.visit(child(node, 'trueExpr'), scope, union(guarded, condition.whenTrue));
        this.visit(child(node, 'falseExpr'), scope, union(guarded, condition.whenFalse));
        return NO_GUARDS;
      }
      case 'SelectExpression': {
        // `value if test` without else: the test runs first, the value only when it holds.
        const test = this.visit(child(node, 'test'), scope, guarded);
        this.visit(child(node, 'lhs'), scope, union(guarded, test.whenTrue));
        return NO_GUARDS;
      }
      case 'KeywordArgumentExpression':
        this.visit(child(node, 'value'), scope, guarded);
        return NO_GUARDS;
      case 'StringLiteral':
      case 'IntegerLiteral':
      case 'FloatLiteral':
      case 'Comment':
      case 'Break':
      case 'Continue':
        return NO_GUARDS;
      default:
        // Literals holding expressions (arrays, tuples, objects), slices, spreads, and any node type
        // a later package version adds: walk every child node, so reads are over- rather than
        // under-reported.
        for (const value of Object.values(node)) this.visitAny(value, scope, guarded);
        return NO_GUARDS;
    }
  }

  private visitAny(value: unknown, scope: Scope, guarded: ReadonlySet<string>): void {
    if (Array.isArray(value)) {
      for (const item of value) this.visitAny(item, scope, guarded);
    } else if (value instanceof Map) {
      for (const [key, item] of value) {
        this.visitAny(key, scope, guarded);
        this.visitAny(item, scope, guarded);
      }
    } else if (isNode(value)) {
      this.visit(value, scope, guarded);
    }
  }

  private visitAll(nodes: unknown, scope: Scope, guarded: ReadonlySet<string>): void {
    for (const node of (nodes as JinjaNode[] | undefined) ?? []) this.visit(node, scope, guarded);
  }

  private read(name: string, scope: Scope, guarded: ReadonlySet<string>): void {
    if (scope.has(name) || this.globals.has(name)) return;
    this.reads.set(name, (this.reads.get(name) ?? false) || !guarded.has(name));
  }

  private visitFor(node: JinjaNode, scope: Scope, guarded: ReadonlySet<string>): void {
    const body = new Scope(scope);
    const iterable = child(node, 'iterable');
    bindTargets(child(node, 'loopvar'), body);
    if (iterable.type === 'SelectExpression') {
      // `for x in xs if x.ok`: xs is read outside the loop, the filter sees the loop variable.
      this.visit(child(iterable, 'lhs'), scope, guarded);
      this.visit(child(iterable, 'test'), body, guarded);
    } else {
      this.visit(iterable, scope, guarded);
    }
    body.bind('loop');
    this.visitAll(node['body'], body, guarded);
    this.visitAll(node['defaultBlock'], new Scope(scope), guarded);
  }

  private visitSet(node: JinjaNode, scope: Scope, guarded: ReadonlySet<string>): void {
    const value = node['value'];
    if (isNode(value)) this.visit(value, scope, guarded);
    else this.visitAll(node['body'], scope, guarded);
    const assignee = child(node, 'assignee');
    // `{% set ns.count = 1 %}` reads ns; it binds nothing.
    if (assignee.type === 'MemberExpression') this.visit(child(assignee, 'object'), scope, guarded);
    else bindTargets(assignee, scope);
  }

  private visitMacro(node: JinjaNode, scope: Scope): void {
    scope.bind(identifierName(child(node, 'name')));
    // Guards at the definition say nothing about the call site, so the body starts unguarded.
    this.visitParameters(node['args'], node['body'], new Scope(scope), NO_NAMES);
  }

  private visitCallStatement(node: JinjaNode, scope: Scope, guarded: ReadonlySet<string>): void {
    this.visit(child(node, 'call'), scope, guarded);
    this.visitParameters(node['callerArgs'], node['body'], new Scope(scope), guarded);
  }

  /** Binds every parameter before walking defaults, as the interpreter does, then walks the body. */
  private visitParameters(parameters: unknown, body: unknown, inner: Scope, guarded: ReadonlySet<string>): void {
    for (const name of MACRO_IMPLICIT_NAMES) inner.bind(name);
    const list = (parameters as JinjaNode[] | null | undefined) ?? [];
    for (const parameter of list) {
      inner.bind(identifierName(parameter.type === 'KeywordArgumentExpression' ? child(parameter, 'key') : parameter));
    }
    for (const parameter of list) {
      if (parameter.type === 'KeywordArgumentExpression') this.visit(child(parameter, 'value'), inner, guarded);
    }
    this.visitAll(body, inner, guarded);
  }

  private visitFilterExpression(node: JinjaNode, scope: Scope, guarded: ReadonlySet<string>): Guards {
    const operand = child(node, 'operand');
    const filter = child(node, 'filter');
    if (filterName(filter) === 'default' && operand.type === 'Identifier') {
      const name = identifierName(operand);
      this.read(name, scope, union(guarded, new Set([name])));
    } else {
      this.visit(operand, scope, guarded);
    }
    this.visitFilterArguments(filter, scope, guarded);
    return NO_GUARDS;
  }

  /** A filter's name is not a variable; only the arguments of `name(...)` are read. */
  private visitFilterArguments(filter: JinjaNode, scope: Scope, guarded: ReadonlySet<string>): void {
    if (filter.type === 'CallExpression') this.visitAll(filter['args'], scope, guarded);
  }

  private visitTestExpression(node: JinjaNode, scope: Scope, guarded: ReadonlySet<string>): Guards {
    const operand = child(node, 'operand');
    const test = identifierName(child(node, 'test'));
    if (operand.type !== 'Identifier' || (test !== 'defined' && test !== 'undefined')) {
      this.visit(operand, scope, guarded);
      return NO_GUARDS;
    }
    const name = identifierName(operand);
    const proven = new Set([name]);
    this.read(name, scope, union(guarded, proven));
    const definedWhenTrue = (test === 'defined') !== (node['negate'] === true);
    return definedWhenTrue ? { whenTrue: proven, whenFalse: NO_NAMES } : { whenTrue: NO_NAMES, whenFalse: proven };
  }

  private visitBinaryExpression(node: JinjaNode, scope: Scope, guarded: ReadonlySet<string>): Guards {
    const operator = operatorOf(node);
    const left = this.visit(child(node, 'left'), scope, guarded);
    if (operator === 'and') {
      // The right side runs only when the left is true.
      const right = this.visit(child(node, 'right'), scope, union(guarded, left.whenTrue));
      return { whenTrue: union(left.whenTrue, right.whenTrue), whenFalse: NO_NAMES };
    }
    if (operator === 'or') {
      const right = this.visit(child(node, 'right'), scope, union(guarded, left.whenFalse));
      return { whenTrue: NO_NAMES, whenFalse: union(left.whenFalse, right.whenFalse) };
    }
    this.visit(child(node, 'right'), scope, guarded);
    return NO_GUARDS;
  }
}

function bindTargets(target: JinjaNode, scope: Scope): void {
  if (target.type === 'Identifier') {
    scope.bind(identifierName(target));
  } else if (target.type === 'TupleLiteral') {
    for (const item of target['value'] as JinjaNode[]) bindTargets(item, scope);
  }
}

function isNode(value: unknown): value is JinjaNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

function child(node: JinjaNode, property: string): JinjaNode {
  const value = node[property];
  if (!isNode(value)) throw new Error(`Jinja ${node.type} node has no ${property}`);
  return value;
}

function identifierName(node: JinjaNode): string {
  return String(node['value']);
}

function operatorOf(node: JinjaNode): string {
  return String((node['operator'] as { value?: unknown } | undefined)?.value);
}

function filterName(filter: JinjaNode): string {
  return filter.type === 'CallExpression' ? identifierName(child(filter, 'callee')) : identifierName(filter);
}

function union(left: ReadonlySet<string>, right: ReadonlySet<string>): ReadonlySet<string> {
  if (right.size === 0) return left;
  if (left.size === 0) return right;
  return new Set([...left, ...right]);
}

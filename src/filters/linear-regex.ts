/**
 * Filter regexes run here, in time linear in the text, instead of on JavaScript's backtracking
 * engine, where `^(a+)+$` against a long `aaaa…b` never returns and even `.*a.*b` is cubic. A filter
 * only asks whether a pattern occurs in a value (and, to explain a rejection, where), and that
 * question has a linear answer for every regular pattern: simulate the pattern's automaton over the
 * text once, with all its possible positions at the same time (Thompson's construction), and cache
 * each set of positions as a state of a lazily built DFA, so a character costs one map lookup.
 *
 * What a single character matches (a literal, a class, `.`, `\w`, `\p{L}`, under `i`, `s` and `u`)
 * is decided by JavaScript itself: each such atom is compiled as a one-character RegExp with the
 * pattern's flags, so case folding and Unicode properties are exactly JavaScript's. Only the
 * structure around atoms (sequence, alternation, groups, quantifiers, `^`, `$`, `\b`, `\B`) is
 * interpreted here. Backreferences and lookaround cannot be decided by an automaton and are refused
 * (`UnsupportedRegexError`), except the two lookarounds that translate Python's `\A` and `\Z`.
 */

/** A construct the linear engine cannot run; the message says which and what to write instead. */
export class UnsupportedRegexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedRegexError';
  }
}

/** Automaton states a pattern may have once `{n,m}` repetitions are written out. */
const MAX_STATES = 20_000;
/** Cached DFA states before the cache is emptied (it refills as the text needs). */
const MAX_CACHED_STATES = 4_096;

type Assertion = 'start' | 'end' | 'inputStart' | 'inputEnd' | 'word' | 'notWord';

type Node =
  | { kind: 'empty' }
  | { kind: 'atom'; atom: Atom }
  | { kind: 'assert'; which: Assertion }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'repeat'; body: Node; min: number; max: number };

/** One character's test, decided by JavaScript and remembered per character. */
class Atom {
  private readonly regex: RegExp;
  private readonly known = new Map<number, boolean>();

  constructor(source: string, flags: string) {
    this.regex = new RegExp(`^(?:${source})$`, flags);
  }

  test(code: number): boolean {
    let result = this.known.get(code);
    if (result === undefined) {
      result = this.regex.test(String.fromCodePoint(code));
      this.known.set(code, result);
    }
    return result;
  }
}

type State =
  | { type: 'char'; atom: Atom; next: number }
  | { type: 'split'; next: number; alt: number }
  | { type: 'assert'; which: Assertion; next: number }
  | { type: 'match' };

/** A position's neighbourhood as the assertions see it. */
const START = -1;
const END = -2;

interface DfaState {
  readonly kernel: readonly number[];
  readonly prev: number;
  /** By next character: whether a match ends before it, and the state after it. */
  readonly transitions: Map<number, { matched: boolean; next: DfaState }>;
  matchedAtEnd?: boolean;
}

export class LinearRegex {
  private readonly forward: Automaton;
  private backward: Automaton | undefined;
  private readonly ast: Node;
  private readonly context: PatternContext;

  private constructor(ast: Node, context: PatternContext) {
    this.ast = ast;
    this.context = context;
    this.forward = new Automaton(ast, context);
  }

  /** Throws UnsupportedRegexError for backreferences, lookaround and patterns too large to expand. */
  static compile(source: string, flags: string): LinearRegex {
    // JavaScript checks the syntax; everything below may assume a valid pattern.
    new RegExp(source, flags);
    if (flags.includes('v')) throw new UnsupportedRegexError('the v flag is not supported; use u');
    const unicode = flags.includes('u');
    const atomFlags = [...flags].filter((flag) => flag === 'i' || flag === 's' || flag === 'u').join('');
    const parser = new Parser(source, unicode, atomFlags);
    const ast = parser.parse();
    return new LinearRegex(ast, { unicode, multiline: flags.includes('m'), word: new Atom('\\w', atomFlags) });
  }

  test(text: string): boolean {
    return this.forward.firstMatchEnd(text) !== undefined;
  }

  /** A match in the text: the one that ends first, from its leftmost start; undefined when none. */
  find(text: string): { index: number; text: string } | undefined {
    const end = this.forward.firstMatchEnd(text);
    if (end === undefined) return undefined;
    this.backward ??= new Automaton(reverse(this.ast), this.context);
    const start = this.backward.leftmostStart(text, end);
    return { index: start, text: text.slice(start, end) };
  }
}

interface PatternContext {
  unicode: boolean;
  multiline: boolean;
  word: Atom;
}

class Automaton {
  private readonly states: State[] = [];
  private readonly start: number;
  private readonly cache = new Map<string, DfaState>();

  constructor(
    ast: Node,
    private readonly context: PatternContext,
  ) {
    const match = this.add({ type: 'match' });
    this.start = this.build(ast, match);
  }

  /** The earliest position at which some match ends, scanning once. */
  firstMatchEnd(text: string): number | undefined {
    const unicode = this.context.unicode;
    let state = this.intern([], START);
    let index = 0;
    while (index < text.length) {
      const code = unicode ? text.codePointAt(index)! : text.charCodeAt(index);
      let step = state.transitions.get(code);
      if (step === undefined) {
        step = this.transition(state, code);
        state.transitions.set(code, step);
      }
      if (step.matched) return index;
      state = step.next;
      index += unicode && code > 0xffff ? 2 : 1;
    }
    state.matchedAtEnd ??= this.closure(state.kernel, state.prev, END).matched;
    return state.matchedAtEnd ? text.length : undefined;
  }

  /** Run on the reversed pattern from `end` towards the start: the smallest position a match can start. */
  leftmostStart(text: string, end: number): number {
    let kernel: number[] = [];
    let best = end;
    let index = end;
    let first = true;
    while (true) {
      const previous = index > 0 ? this.codeBefore(text, index) : END;
      const next = index < text.length ? this.codeAt(text, index) : END;
      // Reversed, the character after the position is the one already read; assertions look at the
      // original order, so pass the original neighbours.
      const closure = this.closureAt(first ? [this.start] : kernel, previous === END ? START : this.classOf(previous), next);
      first = false;
      if (closure.matched) best = index;
      if (index === 0 || previous === END) break;
      kernel = closure.chars.filter((id) => (this.states[id] as State & { type: 'char' }).atom.test(previous)).map((id) => (this.states[id] as State & { type: 'char' }).next);
      if (kernel.length === 0) break;
      index -= previous > 0xffff ? 2 : 1;
    }
    return best;
  }

  private codeAt(text: string, index: number): number {
    return this.context.unicode ? text.codePointAt(index)! : text.charCodeAt(index);
  }

  private codeBefore(text: string, index: number): number {
    const unit = text.charCodeAt(index - 1);
    if (this.context.unicode && unit >= 0xdc00 && unit <= 0xdfff && index >= 2) {
      const lead = text.charCodeAt(index - 2);
      if (lead >= 0xd800 && lead <= 0xdbff) return text.codePointAt(index - 2)!;
    }
    return unit;
  }

  private transition(state: DfaState, code: number): { matched: boolean; next: DfaState } {
    const closure = this.closure(state.kernel, state.prev, code);
    const next: number[] = [];
    for (const id of closure.chars) {
      const char = this.states[id] as State & { type: 'char' };
      if (char.atom.test(code)) next.push(char.next);
    }
    return { matched: closure.matched, next: this.intern(next, this.classOf(code)) };
  }

  /** The unanchored search: every position may start a match, so the start state joins every closure. */
  private closure(kernel: readonly number[], prev: number, next: number): { chars: number[]; matched: boolean } {
    return this.closureAt([this.start, ...kernel], prev, next);
  }

  private closureAt(roots: readonly number[], prev: number, next: number): { chars: number[]; matched: boolean } {
    const seen = new Set<number>();
    const chars: number[] = [];
    let matched = false;
    const stack = [...roots].reverse();
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const state = this.states[id]!;
      switch (state.type) {
        case 'char':
          chars.push(id);
          break;
        case 'match':
          matched = true;
          break;
        case 'split':
          stack.push(state.alt, state.next);
          break;
        case 'assert':
          if (this.holds(state.which, prev, next)) stack.push(state.next);
          break;
      }
    }
    chars.sort((a, b) => a - b);
    return { chars, matched };
  }

  /** prev is a class (START, LINE, WORD, OTHER); next is a character or END. */
  private holds(which: Assertion, prev: number, next: number): boolean {
    switch (which) {
      case 'inputStart':
        return prev === START;
      case 'inputEnd':
        return next === END;
      case 'start':
        return prev === START || (this.context.multiline && prev === LINE);
      case 'end':
        return next === END || (this.context.multiline && isLineTerminator(next));
      case 'word':
      case 'notWord': {
        const boundary = (prev === WORD) !== (next !== END && this.context.word.test(next));
        return which === 'word' ? boundary : !boundary;
      }
    }
  }

  private classOf(code: number): number {
    if (isLineTerminator(code)) return LINE;
    return this.context.word.test(code) ? WORD : OTHER;
  }

  private intern(unsorted: readonly number[], prev: number): DfaState {
    const kernel = [...new Set(unsorted)].sort((a, b) => a - b);
    const key = `${prev}:${kernel.join(',')}`;
    let state = this.cache.get(key);
    if (state === undefined) {
      if (this.cache.size >= MAX_CACHED_STATES) this.cache.clear();
      state = { kernel, prev, transitions: new Map() };
      this.cache.set(key, state);
    }
    return state;
  }

  private add(state: State): number {
    if (this.states.length >= MAX_STATES) {
      throw new UnsupportedRegexError(`the pattern is too large once its {n,m} repetitions are written out (over ${MAX_STATES} states); use smaller counts`);
    }
    this.states.push(state);
    return this.states.length - 1;
  }

  /** Builds the states for `node` followed by `next`; returns the entry state. */
  private build(node: Node, next: number): number {
    switch (node.kind) {
      case 'empty':
        return next;
      case 'atom':
        return this.add({ type: 'char', atom: node.atom, next });
      case 'assert':
        return this.add({ type: 'assert', which: node.which, next });
      case 'seq': {
        let entry = next;
        for (let index = node.items.length - 1; index >= 0; index--) entry = this.build(node.items[index]!, entry);
        return entry;
      }
      case 'alt': {
        let entry = this.build(node.options.at(-1)!, next);
        for (let index = node.options.length - 2; index >= 0; index--) {
          entry = this.add({ type: 'split', next: this.build(node.options[index]!, next), alt: entry });
        }
        return entry;
      }
      case 'repeat': {
        let entry = next;
        if (node.max === Infinity) {
          // A loop: a split that either enters the body (which comes back to the split) or leaves.
          const loop = this.add({ type: 'split', next: -1, alt: next });
          (this.states[loop] as State & { type: 'split' }).next = this.build(node.body, loop);
          entry = loop;
        } else {
          for (let count = node.min; count < node.max; count++) entry = this.add({ type: 'split', next: this.build(node.body, entry), alt: next });
        }
        for (let count = 0; count < node.min; count++) entry = this.build(node.body, entry);
        return entry;
      }
    }
  }
}

const LINE = 1;
const WORD = 2;
const OTHER = 3;

function isLineTerminator(code: number): boolean {
  return code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029;
}

/** The same pattern read right to left: sequences reversed; atoms and assertions are positional. */
function reverse(node: Node): Node {
  switch (node.kind) {
    case 'seq':
      return { kind: 'seq', items: node.items.map(reverse).reverse() };
    case 'alt':
      return { kind: 'alt', options: node.options.map(reverse) };
    case 'repeat':
      return { ...node, body: reverse(node.body) };
    default:
      return node;
  }
}

/** The exact texts translate-regex writes for Python's `\A` and `\Z`. */
const INPUT_START = '(?<![\\s\\S])';
const INPUT_END = '(?![\\s\\S])';

class Parser {
  private index = 0;
  private readonly groups: number;
  private readonly named: boolean;

  constructor(
    private readonly source: string,
    private readonly unicode: boolean,
    private readonly atomFlags: string,
  ) {
    this.groups = countCapturingGroups(source);
    this.named = /\(\?<[^=!]/.test(source);
  }

  parse(): Node {
    const node = this.alternation();
    if (this.index < this.source.length) throw new UnsupportedRegexError(`unexpected "${this.source[this.index]}" at ${this.index}`);
    return node;
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.source[this.index] === '|') {
      this.index++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { kind: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.index < this.source.length && this.source[this.index] !== '|' && this.source[this.index] !== ')') {
      items.push(this.quantified(this.term()));
    }
    return items.length === 1 ? items[0]! : items.length === 0 ? { kind: 'empty' } : { kind: 'seq', items };
  }

  private quantified(body: Node): Node {
    const char = this.source[this.index];
    let bounds: [number, number] | undefined;
    if (char === '*') bounds = [0, Infinity];
    else if (char === '+') bounds = [1, Infinity];
    else if (char === '?') bounds = [0, 1];
    if (bounds) this.index++;
    else if (char === '{') {
      const braces = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.index));
      if (braces) {
        const min = Number(braces[1]);
        bounds = [min, braces[2] === undefined ? min : braces[3] === '' ? Infinity : Number(braces[3])];
        this.index += braces[0].length;
      }
    }
    if (!bounds) return body;
    // Laziness changes which match JavaScript reports, not whether one exists.
    if (this.source[this.index] === '?') this.index++;
    return { kind: 'repeat', body, min: bounds[0], max: bounds[1] };
  }

  private term(): Node {
    const rest = this.source.slice(this.index);
    const char = rest[0]!;
    switch (char) {
      case '^':
        this.index++;
        return { kind: 'assert', which: 'start' };
      case '$':
        this.index++;
        return { kind: 'assert', which: 'end' };
      case '(':
        return this.group(rest);
      case '.':
        this.index++;
        return this.atom('.');
      case '[':
        return this.atom(this.take(classLength(rest, this.unicode)));
      case '\\':
        return this.escape(rest);
      default: {
        const code = this.unicode ? rest.codePointAt(0)! : rest.charCodeAt(0);
        return this.atom(this.take(code > 0xffff ? 2 : 1));
      }
    }
  }

  private group(rest: string): Node {
    if (rest.startsWith(INPUT_START) || rest.startsWith(INPUT_END)) {
      this.index += rest.startsWith(INPUT_START) ? INPUT_START.length : INPUT_END.length;
      return { kind: 'assert', which: rest.startsWith(INPUT_START) ? 'inputStart' : 'inputEnd' };
    }
    if (/^\(\?(=|!|<=|<!)/.test(rest)) {
      throw new UnsupportedRegexError('lookahead and lookbehind ((?=…), (?!…), (?<=…), (?<!…)) cannot run in linear time; split the rule into two rules under `all:` or `not:`');
    }
    const opening = /^\((\?:|\?<[^>]+>)?/.exec(rest)![0];
    this.index += opening.length;
    const body = this.alternation();
    this.index++; // ')'
    return body;
  }

  private escape(rest: string): Node {
    const next = rest[1]!;
    if (next === 'b' || next === 'B') {
      this.index += 2;
      return { kind: 'assert', which: next === 'b' ? 'word' : 'notWord' };
    }
    if (/[1-9]/.test(next)) {
      const digits = /^\\(\d+)/.exec(rest)![1]!;
      if (this.unicode || Number(digits) <= this.groups) throw backreference(`\\${digits}`);
      // Without u and without that many groups, \8 is "8" and \12 an octal escape: JavaScript decides.
      const octal = /^\\[0-7]{1,3}/.exec(rest)?.[0];
      return this.atom(this.take(octal ? octal.length : 2));
    }
    if (next === 'k' && (this.unicode || this.named)) throw backreference(/^\\k<[^>]*>/.exec(rest)?.[0] ?? '\\k<name>');
    return this.atom(this.take(escapeLength(rest, this.unicode)));
  }

  private take(length: number): string {
    const text = this.source.slice(this.index, this.index + length);
    this.index += length;
    return text;
  }

  private atom(source: string): Node {
    return { kind: 'atom', atom: new Atom(source === '\\' ? '\\\\' : source, this.atomFlags) };
  }
}

function backreference(written: string): UnsupportedRegexError {
  return new UnsupportedRegexError(`the backreference ${written} cannot run in linear time; match the repeated text another way or drop the rule`);
}

/** Length of the escape at the start of `rest` (which starts with a backslash). */
function escapeLength(rest: string, unicode: boolean): number {
  const next = rest[1]!;
  if (next === 'x') return /^\\x[0-9a-fA-F]{2}/.test(rest) ? 4 : 2;
  if (next === 'u') {
    if (unicode && rest[2] === '{') return rest.indexOf('}') + 1;
    if (!/^\\u[0-9a-fA-F]{4}/.test(rest)) return 2;
    const lead = Number.parseInt(rest.slice(2, 6), 16);
    return unicode && lead >= 0xd800 && lead <= 0xdbff && /^\\u[dD][c-fC-F][0-9a-fA-F]{2}/.test(rest.slice(6)) ? 12 : 6;
  }
  if (next === 'c') return /^\\c[A-Za-z]/.test(rest) ? 3 : 1;
  if ((next === 'p' || next === 'P') && unicode) return rest.indexOf('}') + 1;
  if (next === '0' && !unicode) return /^\\0[0-7]{0,2}/.exec(rest)![0].length;
  if (unicode) {
    const code = rest.codePointAt(1)!;
    return code > 0xffff ? 3 : 2;
  }
  return 2;
}

/** Length of the character class at the start of `rest`, brackets included. */
function classLength(rest: string, unicode: boolean): number {
  let index = 1;
  if (rest[index] === '^') index++;
  while (index < rest.length && rest[index] !== ']') {
    index += rest[index] === '\\' ? escapeLength(rest.slice(index), unicode) : 1;
  }
  return index + 1;
}

function countCapturingGroups(source: string): number {
  let count = 0;
  for (let index = 0; index < source.length; index++) {
    const char = source[index];
    if (char === '\\') index++;
    else if (char === '[') {
      for (index++; index < source.length && source[index] !== ']'; index++) if (source[index] === '\\') index++;
    } else if (char === '(' && (source[index + 1] !== '?' || (source[index + 2] === '<' && source[index + 3] !== '=' && source[index + 3] !== '!'))) count++;
  }
  return count;
}

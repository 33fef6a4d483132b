/**
 * What the fast renderer's closures (compile-fast-renderer.ts) do to plain values: attribute and index
 * reads, the filters without arguments, tests, comparisons, `in`, `~` and `+`, each in the order the
 * @huggingface/jinja interpreter tries its cases. Where the interpreter would fail, or would give a
 * value these rules cannot state exactly, they throw `BAIL` and the interpreter renders the record.
 */
import { BAIL, isContainer, isPlainObject, jsonText, titleCase, UNDEFINED, type FastValue, type PlainValue } from './plain-value.js';

/** Attributes the library answers for every mapping with a method: reading one gives a function. */
export const MAPPING_METHODS = new Set(['get', 'items', 'keys', 'values', 'dictsort']);
/** The same for strings; `length` is the one attribute that is a value. */
const STRING_METHODS = new Set(['upper', 'lower', 'strip', 'title', 'capitalize', 'rstrip', 'lstrip', 'startswith', 'endswith', 'split', 'replace']);
/** `x is name`, as the library defines each test. */
export const TESTS: ReadonlyMap<string, (value: FastValue) => boolean> = new Map<string, (value: FastValue) => boolean>([
  ['defined', (value) => value !== UNDEFINED],
  ['undefined', (value) => value === UNDEFINED],
  ['none', (value) => value === null],
  ['boolean', (value) => typeof value === 'boolean'],
  ['true', (value) => value === true],
  ['false', (value) => value === false],
  ['string', (value) => typeof value === 'string'],
  ['number', (value) => typeof value === 'number'],
  ['integer', (value) => typeof value === 'number' && Number.isInteger(value)],
  ['iterable', (value) => Array.isArray(value) || typeof value === 'string'],
  ['mapping', (value) => isPlainObject(value)],
  ['sequence', (value) => Array.isArray(value) || isPlainObject(value) || typeof value === 'string'],
  ['lower', (value) => typeof value === 'string' && value === value.toLowerCase()],
  ['upper', (value) => typeof value === 'string' && value === value.toUpperCase()],
  // Plain data holds no functions, and the global functions make a render give up when read.
  ['callable', () => false],
  ['odd', (value) => integerOperand(value) % 2 !== 0],
  ['even', (value) => integerOperand(value) % 2 === 0],
]);

/** `object.name`: a mapping's own key, a list's or string's `length`, else Undefined. */
export function attribute(target: FastValue, name: string): FastValue {
  if (isPlainObject(target)) {
    if (Object.hasOwn(target, name)) return target[name]!;
    if (MAPPING_METHODS.has(name)) throw BAIL;
    return UNDEFINED;
  }
  if (Array.isArray(target)) return name === 'length' ? target.length : UNDEFINED;
  if (typeof target === 'string') {
    if (name === 'length') return target.length;
    if (STRING_METHODS.has(name)) throw BAIL;
  }
  return UNDEFINED;
}

/** `object[i]`: Python-style negative indexes into a list or a string (by UTF-16 unit, as `at` does). */
export function item(target: FastValue, index: number): FastValue {
  if (Array.isArray(target)) {
    const value = (target as readonly PlainValue[]).at(index);
    return value === undefined ? UNDEFINED : value;
  }
  if (typeof target === 'string') {
    const character = target.at(index);
    return character === undefined ? UNDEFINED : character;
  }
  throw BAIL;
}

/** The filters without arguments, by the operand's type as the library dispatches them. */
export function applyFilter(name: string, value: FastValue): FastValue {
  if (name === 'safe') return value;
  if (name === 'tojson') return jsonText(value);
  if (typeof value === 'string') {
    switch (name) {
      case 'length':
        return value.length;
      case 'upper':
        return value.toUpperCase();
      case 'lower':
        return value.toLowerCase();
      case 'title':
        return titleCase(value);
      case 'capitalize':
        return value.charAt(0).toUpperCase() + value.slice(1);
      case 'trim':
        return value.trim();
      case 'join':
      case 'string':
        return value;
    }
  } else if (Array.isArray(value)) {
    const list = value as readonly PlainValue[];
    switch (name) {
      case 'length':
        return list.length;
      case 'first':
        if (list.length === 0) throw BAIL;
        return list[0]!;
      case 'last':
        if (list.length === 0) throw BAIL;
        return list[list.length - 1]!;
      case 'string':
        return jsonText(list);
      case 'join':
        if (list.some(isContainer)) throw BAIL;
        return list.join('');
    }
  } else if (isPlainObject(value)) {
    if (name === 'length') return Object.keys(value).length;
  } else if (typeof value === 'number') {
    if (name === 'string') return String(value);
  } else if (typeof value === 'boolean') {
    if (name === 'string') return value ? 'true' : 'false';
  }
  throw BAIL;
}

function integerOperand(value: FastValue): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw BAIL;
  return value;
}

/** `<`, `>`, `<=`, `>=` between numbers; the library refuses them between anything else. */
export function compareNumbers(operator: string, a: FastValue, b: FastValue): boolean {
  if (typeof a !== 'number' || typeof b !== 'number') throw BAIL;
  switch (operator) {
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    default:
      return a >= b;
  }
}

/** `needle in haystack`, in the order the library tries its cases. */
export function contains(needle: FastValue, haystack: FastValue): boolean {
  if (haystack === UNDEFINED) return false;
  if (needle === UNDEFINED || needle === null || haystack === null) throw BAIL;
  if (Array.isArray(haystack)) {
    if (Array.isArray(needle)) throw BAIL;
    // The library compares unwrapped values with ===: a list or mapping never equals an element.
    return !isContainer(needle) && (haystack as readonly PlainValue[]).includes(needle) && !Number.isNaN(needle);
  }
  if (typeof needle === 'string' && typeof haystack === 'string') return haystack.includes(needle);
  if (typeof needle === 'string' && isPlainObject(haystack)) return Object.hasOwn(haystack, needle);
  throw BAIL;
}

/** `a ~ b` and `a + b` where one is a string: both as text. Numbers added are left to the interpreter. */
export function concatenate(operator: string, a: FastValue, b: FastValue): string {
  if (a === UNDEFINED || b === UNDEFINED || a === null || b === null || isContainer(a) || isContainer(b)) throw BAIL;
  if (operator === '+' && typeof a !== 'string' && typeof b !== 'string') throw BAIL;
  return String(a) + String(b);
}

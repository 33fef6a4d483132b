/**
 * The fast renderer's values (compile-fast-renderer.ts): a record's own JavaScript values, read as
 * the @huggingface/jinja interpreter reads the runtime values it converts them into. Every rule here
 * restates one of the library's (its `toString`, `__bool__`, `toJSON`, tests), and only for plain
 * data: strings, numbers, booleans, null, arrays and plain objects of those, which is what JSON.parse
 * gives and so what every stage file holds. Anything else makes the fast renderer give up (`BAIL`)
 * and the interpreter render instead, so the rules never need to cover it.
 */

/** Jinja's Undefined (a missing attribute, an absent optional field), which prints and tests unlike null. */
export const UNDEFINED: unique symbol = Symbol('jinja undefined');

/** Thrown inside a fast render that cannot be sure of the interpreter's answer; caught by the renderer. */
export const BAIL: unique symbol = Symbol('fall back to the interpreter');

export type PlainObject = { readonly [key: string]: PlainValue };
export type PlainValue = string | number | boolean | null | readonly PlainValue[] | PlainObject;
/** A value inside a fast render: plain data, or Undefined. */
export type FastValue = PlainValue | typeof UNDEFINED;

export function isPlainObject(value: unknown): value is PlainObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * Whether a field's value is plain data all the way down. The interpreter converts a field whole
 * when it builds the scope (a bigint or symbol anywhere in it is an error even if never read; a
 * function becomes a callable; an `undefined` inside prints as `undefined`), so anything but plain
 * data sends the render to the interpreter.
 */
export function isPlainData(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return true;
    case 'object':
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index++) {
          const item: unknown = value[index];
          // A hole or an undefined element would become Undefined.
          if (item === undefined || !isPlainData(item)) return false;
        }
        return true;
      }
      if (!isPlainObject(value)) return false;
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        const item: unknown = value[key];
        if (item === undefined || !isPlainData(item)) return false;
      }
      return true;
    default:
      return false;
  }
}

/**
 * How a value prints in `{{ … }}`: strings as they are, numbers as JavaScript writes them (a JSON
 * number is an integer to the library exactly when Number.isInteger holds, and both kinds then print
 * as String does), booleans in lower case, null and Undefined as nothing, lists and mappings as JSON
 * with `", "` and `": "`.
 */
export function printValue(value: FastValue): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'symbol':
      return '';
    default:
      return value === null ? '' : jsonText(value);
  }
}

/** The `tojson` filter without arguments; Undefined is `null`. */
export function jsonText(value: FastValue): string {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      // JSON.stringify is what the library uses for these: NaN and ±Infinity print as null, -0 as 0.
      return JSON.stringify(value);
    case 'symbol':
      return 'null';
    default: {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let text = '[';
        for (let index = 0; index < value.length; index++) text += (index === 0 ? '' : ', ') + jsonText(value[index] as PlainValue);
        return `${text}]`;
      }
      const object = value as PlainObject;
      let text = '{';
      let first = true;
      // Object.keys is the order Object.entries gives, which is the library's Map order.
      for (const key of Object.keys(object)) {
        text += `${first ? '' : ', '}${JSON.stringify(key)}: ${jsonText(object[key]!)}`;
        first = false;
      }
      return `${text}}`;
    }
  }
}

/** Jinja truth: empty strings, lists and mappings, 0, NaN, null and Undefined are false. */
export function isTruthy(value: FastValue): boolean {
  if (typeof value === 'object' && value !== null) {
    if (Array.isArray(value)) return value.length > 0;
    for (const key in value as PlainObject) if (Object.hasOwn(value, key)) return true;
    return false;
  }
  return typeof value === 'symbol' ? false : Boolean(value);
}

export function isContainer(value: FastValue): value is readonly PlainValue[] | PlainObject {
  return typeof value === 'object' && value !== null;
}

/** What the interpreter's size check counts for a list or mapping: characters of strings and keys, elements. */
export function containerSize(value: readonly PlainValue[] | PlainObject): { chars: number; items: number } {
  const size = { chars: 0, items: 0 };
  const add = (child: PlainValue): void => {
    size.items++;
    if (typeof child === 'string') size.chars += child.length;
    else if (isContainer(child)) {
      const inner = containerSize(child);
      size.chars += inner.chars;
      size.items += inner.items;
    }
  };
  if (Array.isArray(value)) for (const child of value) add(child);
  else {
    const object = value as PlainObject;
    for (const key of Object.keys(object)) {
      size.chars += key.length;
      add(object[key]!);
    }
  }
  return size;
}

/**
 * The library's `title`, `text.replace(/\b\w/g, upper)`, without a callback per word: without the `u`
 * flag `\w` and `\b` are ASCII-only, so a word starts at an ASCII letter, digit or `_` that follows
 * anything else, and only a-z change.
 */
export function titleCase(text: string): string {
  let output = '';
  let copied = 0;
  let inWord = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    const isWord = (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95;
    if (isWord && !inWord && code >= 97 && code <= 122) {
      output += text.slice(copied, index) + String.fromCharCode(code - 32);
      copied = index + 1;
    }
    inWord = isWord;
  }
  return copied === 0 ? text : output + text.slice(copied);
}

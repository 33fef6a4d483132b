import { isJsonSchemaObject, type JsonSchema } from './json-schema.js';

/** RFC 6901 pointers and the `#…` fragments `$ref` uses for them. Only same-document refs are supported. */

export function encodePointerSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function toPointer(segments: readonly (string | number)[]): string {
  return segments.map((segment) => `/${encodePointerSegment(segment)}`).join('');
}

export function splitPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The segments of a same-document `$ref`, or undefined when it points elsewhere (another file, an `$id`, an anchor). */
export function parseLocalRef(ref: string): string[] | undefined {
  if (!ref.startsWith('#')) return undefined;
  let pointer: string;
  try {
    pointer = decodeURIComponent(ref.slice(1));
  } catch {
    return undefined;
  }
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return splitPointer(pointer);
}

export function getAtPath(root: unknown, segments: readonly string[]): unknown {
  let current: unknown = root;
  for (const segment of segments) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (isJsonSchemaObject(current) && Object.prototype.hasOwnProperty.call(current, segment)) {
      current = current[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

/** The schema a same-document `$ref` names, or undefined when it does not resolve to a schema. */
export function resolveLocalRef(root: JsonSchema, ref: string): JsonSchema | boolean | undefined {
  const segments = parseLocalRef(ref);
  if (segments === undefined) return undefined;
  const target = getAtPath(root, segments);
  return typeof target === 'boolean' || isJsonSchemaObject(target) ? target : undefined;
}

/**
 * Turns an instance pointer from a validator into path segments, reading the value alongside so an
 * array index becomes a number while an object key that looks like a number stays a string.
 */
export function pointerToValuePath(pointer: string, value: unknown): (string | number)[] {
  const path: (string | number)[] = [];
  let current: unknown = value;
  for (const segment of splitPointer(pointer)) {
    if (Array.isArray(current) && /^(0|[1-9][0-9]*)$/.test(segment)) {
      path.push(Number(segment));
      current = current[Number(segment)];
    } else {
      path.push(segment);
      current = isJsonSchemaObject(current) ? current[segment] : undefined;
    }
  }
  return path;
}

/**
 * Field paths name a value inside a record: `answer`, `meta.score`, `answers[0].text`, `grid[1][2]`.
 * A segment is any run of characters other than `.`, `[` and `]`; an index is `[<digits>]`.
 *
 * A record may also hold a key that itself contains a dot (CSV headers such as `meta.score`); the
 * whole path is tried as one top-level key first, so such a column stays reachable.
 */
export type FieldPath = { readonly text: string; readonly segments: readonly (string | number)[] };

const SEGMENT = /^(?:([^.[\]]+)|\[(\d+)\])/;

/** Parses a path, or returns a message saying what is wrong with it. */
export function parseFieldPath(text: string): FieldPath | { error: string } {
  const segments: (string | number)[] = [];
  let rest = text;
  while (rest.length > 0) {
    const dotted = segments.length > 0 && rest.startsWith('.');
    if (dotted) rest = rest.slice(1);
    const match = SEGMENT.exec(rest);
    // A name needs a "." before it (except the first); an index never has one.
    const isName = match?.[1] !== undefined;
    if (!match || (segments.length === 0 ? !isName : isName !== dotted)) {
      return {
        error: `field path "${text}" does not parse at "${rest || '(end)'}"; write names joined by "." and [n] for list items, e.g. answers[0].text`,
      };
    }
    segments.push(match[1] ?? Number(match[2]));
    rest = rest.slice(match[0].length);
  }
  if (segments.length === 0) return { error: 'field path is empty' };
  return { text, segments };
}

/** The value at `path`, or `undefined` when any step of the path is absent. */
export function readFieldPath(fields: Readonly<Record<string, unknown>>, path: FieldPath): unknown {
  if (path.segments.length > 1 && Object.hasOwn(fields, path.text)) return fields[path.text];
  let node: unknown = fields;
  for (const segment of path.segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(node) || segment >= node.length) return undefined;
      node = node[segment];
    } else {
      if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, segment)) return undefined;
      node = (node as Record<string, unknown>)[segment];
    }
  }
  return node;
}

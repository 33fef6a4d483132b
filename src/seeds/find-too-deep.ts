/**
 * How deep lists and objects may nest in a seed record or a recipe. Everything downstream (stage
 * files, request keys, templates, schema checks) walks values recursively, and a record nested
 * 200,000 deep overflows the call stack there; real data rarely nests more than ten levels.
 */
export const MAX_NESTING = 100;

type Key = string | number;

interface Frame {
  value: object;
  depth: number;
  key: Key | undefined;
  parent: Frame | undefined;
}

/**
 * The key path of a list or object nested deeper than `limit` levels (the value itself is level 1),
 * or undefined. Iterative, because the value may be deeper than the call stack allows; only plain
 * objects and arrays are entered (a zod schema or a function in a TS recipe is a leaf), and a cycle is
 * reported as too deep rather than walked for ever. Runs on every seed record, so a flat record
 * costs one pass over its values and no allocation beyond the root frame.
 */
export function findTooDeep(value: unknown, limit = MAX_NESTING): Key[] | undefined {
  if (!isContainer(value)) return undefined;
  const stack: Frame[] = [{ value, depth: 1, key: undefined, parent: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > limit) return pathOf(frame);
    const container = frame.value as Record<Key, unknown>;
    if (Array.isArray(container)) {
      for (let index = container.length - 1; index >= 0; index -= 1) {
        const child: unknown = container[index];
        if (isContainer(child)) stack.push({ value: child, depth: frame.depth + 1, key: index, parent: frame });
      }
    } else {
      const keys = Object.keys(container);
      for (let index = keys.length - 1; index >= 0; index -= 1) {
        const child = container[keys[index]!];
        if (isContainer(child)) stack.push({ value: child, depth: frame.depth + 1, key: keys[index], parent: frame });
      }
    }
  }
  return undefined;
}

function isContainer(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function pathOf(frame: Frame): Key[] {
  const path: Key[] = [];
  for (let current: Frame | undefined = frame; current?.key !== undefined; current = current.parent) path.push(current.key);
  return path.reverse();
}

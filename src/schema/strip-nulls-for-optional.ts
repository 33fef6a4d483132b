import { resolveLocalRef } from './json-pointer.js';
import { isJsonSchemaObject, jsonTypeOf, type JsonSchema } from './json-schema.js';

/**
 * OpenAI strict mode makes every property required, so a field the original schema left optional
 * is sent as nullable and comes back as `null` when the model would have left it out. This turns
 * such nulls back into absent keys, recursively, wherever the ORIGINAL schema has the property
 * optional and not nullable; the original schema then validates the value. Everything else is
 * returned unchanged (a new object is built only where something was removed).
 */
export function stripNullsForOptional(value: unknown, original: JsonSchema): unknown {
  // Only a null is ever removed: an answer without one (most of them) is returned as it came.
  return holdsNull(value) ? strip(value, original, original, 0) : value;
}

/** Whether a null occurs anywhere in a JSON value; iterative, so no nesting depth can overflow the stack. */
function holdsNull(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (item === null) return true;
    if (typeof item !== 'object') continue;
    if (Array.isArray(item)) for (const element of item) pending.push(element);
    else for (const key in item) pending.push((item as Record<string, unknown>)[key]);
  }
  return false;
}

type Schema = JsonSchema | boolean | undefined;
const MAX_REF_HOPS = 32;

function strip(value: unknown, schema: Schema, root: JsonSchema, depth: number): unknown {
  const node = deref(schema, root);
  if (!isJsonSchemaObject(node) || depth > 256) return value;
  if (Array.isArray(value)) return stripArray(value, node, root, depth);
  if (!isJsonSchemaObject(value)) return value;

  const view = objectView(node, root);
  let result: Record<string, unknown> = value;
  const replace = (key: string, next: unknown, remove: boolean): void => {
    if (result === value) result = { ...value };
    if (remove) delete result[key];
    else result[key] = next;
  };
  for (const [key, child] of Object.entries(value)) {
    const schemas = view.properties.get(key);
    if (schemas === undefined) continue;
    if (child === null && !view.required.has(key) && !schemas.some((entry) => acceptsNull(entry, root, 0))) {
      replace(key, undefined, true);
      continue;
    }
    let next = child;
    for (const entry of schemas) next = strip(next, entry, root, depth + 1);
    if (next !== child) replace(key, next, false);
  }
  // Unions of objects: strip against the branch the value most plausibly took.
  const branch = pickBranch(result, view.branches, root);
  return branch === undefined ? result : strip(result, branch, root, depth + 1);
}

function stripArray(value: unknown[], node: JsonSchema, root: JsonSchema, depth: number): unknown[] {
  const prefix = Array.isArray(node.prefixItems) ? node.prefixItems : Array.isArray(node.items) ? node.items : [];
  const rest = Array.isArray(node.items) ? node.additionalItems : node.items;
  let changed = false;
  const next = value.map((item, index) => {
    const itemSchema = (index < prefix.length ? prefix[index] : rest) as Schema;
    const stripped = strip(item, itemSchema, root, depth + 1);
    changed ||= stripped !== item;
    return stripped;
  });
  return changed ? next : value;
}

function deref(schema: Schema, root: JsonSchema): Schema {
  let node = schema;
  for (let hops = 0; hops < MAX_REF_HOPS && isJsonSchemaObject(node) && typeof node.$ref === 'string'; hops++) {
    const target = resolveLocalRef(root, node.$ref);
    // 2020-12 lets a $ref sit beside other keywords; keep those by merging the target under them.
    const { $ref: _ref, ...siblings } = node;
    node = isJsonSchemaObject(target) ? { ...target, ...siblings } : target;
  }
  return node;
}

type ObjectView = { properties: Map<string, Schema[]>; required: Set<string>; branches: Schema[] };

/** The properties and required names an object schema imposes, counting its `allOf` parts. */
function objectView(node: JsonSchema, root: JsonSchema): ObjectView {
  const view: ObjectView = { properties: new Map(), required: new Set(), branches: [] };
  const add = (part: Schema, depth: number): void => {
    const resolved = deref(part, root);
    if (!isJsonSchemaObject(resolved) || depth > 16) return;
    if (isJsonSchemaObject(resolved.properties)) {
      for (const [key, schema] of Object.entries(resolved.properties)) {
        view.properties.set(key, [...(view.properties.get(key) ?? []), schema as Schema]);
      }
    }
    if (Array.isArray(resolved.required)) for (const key of resolved.required) view.required.add(String(key));
    if (Array.isArray(resolved.allOf)) for (const inner of resolved.allOf) add(inner as Schema, depth + 1);
    for (const keyword of ['anyOf', 'oneOf'] as const) {
      const options = resolved[keyword];
      if (Array.isArray(options) && view.branches.length === 0) view.branches = options as Schema[];
    }
  };
  add(node, 0);
  return view;
}

/** Whether a schema admits `null` (an unconstrained schema does). */
export function acceptsNull(schema: Schema, root: JsonSchema, depth: number): boolean {
  const node = deref(schema, root);
  if (node === undefined || node === true) return true;
  if (node === false || depth > 32) return false;
  if (Array.isArray(node.allOf) && !node.allOf.every((part) => acceptsNull(part as Schema, root, depth + 1))) return false;
  if (Array.isArray(node.enum)) return node.enum.includes(null);
  if ('const' in node) return node.const === null;
  if (node.type !== undefined) {
    const types = Array.isArray(node.type) ? node.type : [node.type];
    if (!types.includes('null')) return false;
  }
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const options = node[keyword];
    if (Array.isArray(options) && !options.some((option) => acceptsNull(option as Schema, root, depth + 1))) return false;
  }
  return true;
}

/** The union branch whose type fits the value and which declares most of its keys. */
function pickBranch(value: Record<string, unknown>, branches: Schema[], root: JsonSchema): Schema {
  let best: Schema;
  let bestScore = -Infinity;
  for (const branch of branches) {
    const node = deref(branch, root);
    if (!isJsonSchemaObject(node) || !typeAdmits(node, value)) continue;
    const declared = objectView(node, root).properties;
    let score = 0;
    for (const key of Object.keys(value)) score += declared.has(key) ? 1 : node.additionalProperties === false ? -2 : 0;
    if (score > bestScore) {
      best = branch;
      bestScore = score;
    }
  }
  return best;
}

function typeAdmits(node: JsonSchema, value: unknown): boolean {
  if (node.type === undefined) return true;
  const types = Array.isArray(node.type) ? node.type : [node.type];
  return types.includes(jsonTypeOf(value));
}

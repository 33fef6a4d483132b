import { isJsonSchemaObject, type JsonSchema } from './json-schema.js';

/**
 * Merges the parts of an `allOf` into one schema with the same meaning, when that is possible.
 * Providers cannot take `allOf` (OpenAI) or cannot close each part separately (closing every part
 * of an intersection with `additionalProperties: false` would forbid the other parts' properties).
 * Returns an explanation instead when the intersection has no single-schema form we can write.
 */
export type MergeResult = { ok: true; schema: JsonSchema } | { ok: false; reason: string };

const LOWER_BOUNDS = new Set(['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties', 'minContains']);
const UPPER_BOUNDS = new Set(['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties', 'maxContains']);
const FIRST_WINS = new Set(['title', 'description', 'default', 'examples', '$comment']);

export function mergeSchemas(parts: readonly unknown[]): MergeResult {
  let merged: JsonSchema = {};
  for (const part of parts) {
    if (part === true) continue;
    if (part === false) return { ok: false, reason: 'a part is `false`, so nothing can match' };
    if (!isJsonSchemaObject(part)) return { ok: false, reason: 'a part is not a schema object' };
    const closed = checkClosedParts(merged, part);
    if (closed !== undefined) return { ok: false, reason: closed };
    const next: JsonSchema = { ...merged };
    for (const [keyword, value] of Object.entries(part)) {
      if (!(keyword in next)) {
        next[keyword] = value;
        continue;
      }
      const combined = combine(keyword, next[keyword], value);
      if (!combined.ok) return combined;
      next[keyword] = combined.value;
    }
    merged = next;
  }
  return { ok: true, schema: merged };
}

type Combined = { ok: true; value: unknown } | { ok: false; reason: string };

function combine(keyword: string, left: unknown, right: unknown): Combined {
  if (deepEqual(left, right)) return { ok: true, value: left };
  if (FIRST_WINS.has(keyword)) return { ok: true, value: left };
  if (LOWER_BOUNDS.has(keyword) && typeof left === 'number' && typeof right === 'number') return { ok: true, value: Math.max(left, right) };
  if (UPPER_BOUNDS.has(keyword) && typeof left === 'number' && typeof right === 'number') return { ok: true, value: Math.min(left, right) };
  switch (keyword) {
    case 'required':
      return { ok: true, value: [...new Set([...(left as unknown[]), ...(right as unknown[])])] };
    case 'allOf':
      return { ok: true, value: [...(left as unknown[]), ...(right as unknown[])] };
    case 'properties': {
      const result: JsonSchema = { ...(left as JsonSchema) };
      for (const [key, schema] of Object.entries(right as JsonSchema)) {
        result[key] = key in result && !deepEqual(result[key], schema) ? { allOf: [result[key], schema] } : schema;
      }
      return { ok: true, value: result };
    }
    case 'items':
    case 'contains':
    case 'propertyNames':
      return { ok: true, value: { allOf: [left, right] } };
    case 'type': {
      const types = intersectTypes(left, right);
      if (types.length === 0) return { ok: false, reason: `the parts' types ${JSON.stringify(left)} and ${JSON.stringify(right)} do not overlap` };
      return { ok: true, value: types.length === 1 ? types[0] : types };
    }
    case 'enum': {
      const values = (left as unknown[]).filter((value) => (right as unknown[]).some((other) => deepEqual(value, other)));
      if (values.length === 0) return { ok: false, reason: 'the parts\' enums have no value in common' };
      return { ok: true, value: values };
    }
    case 'additionalProperties':
      if (left === false || right === false) return { ok: true, value: false };
      return { ok: false, reason: 'the parts give different additionalProperties schemas' };
    default:
      return { ok: false, reason: `the parts disagree on "${keyword}"` };
  }
}

/** A part closed with `additionalProperties: false` forbids every property it does not declare, including the other parts'. */
function checkClosedParts(left: JsonSchema, right: JsonSchema): string | undefined {
  for (const [closed, other] of [
    [left, right],
    [right, left],
  ] as const) {
    if (closed.additionalProperties !== false) continue;
    const declared = isJsonSchemaObject(closed.properties) ? closed.properties : {};
    const extra = Object.keys(isJsonSchemaObject(other.properties) ? other.properties : {}).filter((key) => !(key in declared));
    if (extra.length > 0) {
      return `one part sets additionalProperties: false, so the intersection forbids ${extra.map((key) => `"${key}"`).join(', ')} declared by another part; put all properties in one object`;
    }
  }
  return undefined;
}

function intersectTypes(left: unknown, right: unknown): string[] {
  const a = (Array.isArray(left) ? left : [left]) as string[];
  const b = (Array.isArray(right) ? right : [right]) as string[];
  const result: string[] = [];
  for (const type of a) {
    if (b.includes(type)) result.push(type);
    else if (type === 'integer' && b.includes('number')) result.push('integer');
    else if (type === 'number' && b.includes('integer')) result.push('integer');
  }
  return [...new Set(result)];
}

export function deepEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  if (Array.isArray(left)) {
    const other = right as unknown[];
    return left.length === other.length && left.every((value, index) => deepEqual(value, other[index]));
  }
  const leftKeys = Object.keys(left);
  const rightRecord = right as Record<string, unknown>;
  return (
    leftKeys.length === Object.keys(rightRecord).length &&
    leftKeys.every((key) => Object.prototype.hasOwnProperty.call(rightRecord, key) && deepEqual((left as Record<string, unknown>)[key], rightRecord[key]))
  );
}

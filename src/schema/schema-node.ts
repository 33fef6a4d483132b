import type { JsonSchema } from './json-schema.js';
import { ANNOTATION_KEYWORDS, KEYWORDS_BY_TYPE } from './schema-keywords.js';

/** Small pure rewrites of one schema node, used by the provider converter. */

/** Never constrain and no provider needs them; `default` is handled per profile. */
export const DROPPED_SILENTLY = new Set([
  ...[...ANNOTATION_KEYWORDS].filter((keyword) => keyword !== 'default' && keyword !== 'title' && keyword !== 'description'),
  '$schema', '$id', '$defs', 'definitions', '$anchor', '$dynamicAnchor', '$recursiveAnchor', '$vocabulary',
]);
/** Keywords that stay on the outside when a node is wrapped in `anyOf`. */
export const WRAPPER_KEYWORDS = new Set(['title', 'description', 'default']);

export function stripSilentKeywords(node: JsonSchema): JsonSchema {
  return Object.fromEntries(Object.entries(node).filter(([keyword]) => !keyword.startsWith('x-') && !DROPPED_SILENTLY.has(keyword)));
}

export function typeList(type: unknown): string[] {
  if (Array.isArray(type)) return type.map(String);
  return typeof type === 'string' ? [type] : [];
}

export function appliesToTypes(keyword: string, types: string[]): boolean {
  const owners = (Object.keys(KEYWORDS_BY_TYPE) as (keyof typeof KEYWORDS_BY_TYPE)[]).filter((type) => KEYWORDS_BY_TYPE[type].includes(keyword));
  if (owners.length === 0) return true;
  return owners.some((owner) => types.includes(owner) || (owner === 'number' && types.includes('integer')));
}

export function literalType(value: unknown): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return typeof value;
  if (typeof value === 'number') return 'number';
  return undefined;
}

/** `type: [string, number]` → `anyOf` of single types, each with the keywords that concern it. `[T, null]` stays. */
export function splitTypeList(node: JsonSchema): JsonSchema {
  const types = typeList(node.type);
  const nonNull = types.filter((type) => type !== 'null');
  if (!Array.isArray(node.type) || nonNull.length <= 1) return node;
  if ('enum' in node || 'const' in node) return withoutKeys(node, ['type']); // the literals already fix the type
  const { type: _type, ...rest } = node;
  const wrapper = pick(rest, [...WRAPPER_KEYWORDS]);
  const shared = withoutKeys(rest, [...WRAPPER_KEYWORDS]);
  const branches = types.map((type) => {
    const branch: JsonSchema = { type };
    for (const [keyword, value] of Object.entries(shared)) if (appliesToTypes(keyword, [type])) branch[keyword] = value;
    return branch;
  });
  const general = Object.fromEntries(Object.entries(shared).filter(([keyword]) => !branches.some((branch) => keyword in branch) && !isTypeSpecific(keyword)));
  return { ...wrapper, ...general, anyOf: branches };
}

function isTypeSpecific(keyword: string): boolean {
  return Object.values(KEYWORDS_BY_TYPE).some((keywords) => keywords.includes(keyword));
}

/** Adds null to what a schema accepts: `type: [T, 'null']` for a plain scalar, `anyOf [..., {type: 'null'}]` otherwise. */
export function makeNullable(node: JsonSchema): JsonSchema {
  const scalar = typeof node.type === 'string' && ['string', 'number', 'integer', 'boolean'].includes(node.type);
  if (scalar && !('enum' in node) && !('const' in node) && !('anyOf' in node)) return { ...node, type: [node.type, 'null'] };
  if (Array.isArray(node.type) && !('enum' in node) && !('anyOf' in node) && !node.type.some((type) => type === 'object' || type === 'array')) {
    return { ...node, type: [...node.type, 'null'] };
  }
  const wrapper = pick(node, ['title', 'description']);
  const inner = withoutKeys(node, ['title', 'description']);
  if (Array.isArray(inner.anyOf) && Object.keys(inner).length === 1) return { ...wrapper, anyOf: [...inner.anyOf, { type: 'null' }] };
  return { ...wrapper, anyOf: [inner, { type: 'null' }] };
}

export function pick(node: JsonSchema, keys: readonly string[]): JsonSchema {
  return Object.fromEntries(Object.entries(node).filter(([key]) => keys.includes(key)));
}

export function withoutKeys(node: JsonSchema, keys: readonly string[]): JsonSchema {
  return Object.fromEntries(Object.entries(node).filter(([key]) => !keys.includes(key)));
}

/** A JSON Schema document (draft 2020-12 or draft-07) as a plain object. */
export type JsonSchema = { [keyword: string]: unknown };

/** The seven JSON Schema type names. */
export const JSON_TYPE_NAMES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'] as const;

export function isJsonSchemaObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON type of a value as a schema names it (`undefined`, i.e. an absent value, is "nothing"). */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value === undefined) return 'nothing';
  if (typeof value === 'bigint') return 'integer';
  return typeof value;
}

/** A copy that holds only JSON values: drops `undefined` members the way the wire would. */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export function isPrimitiveJson(value: unknown): value is string | number | boolean | null {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

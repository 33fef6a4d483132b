/**
 * Parquet values as JSON-safe plain data, because records are hashed, stored as JSON and rendered
 * into templates downstream:
 * - INT64 arrives as bigint: a number when it fits in 2^53, else its decimal string (a 64-bit id keeps
 *   every digit instead of being rounded);
 * - timestamps and dates arrive as Date: their ISO 8601 string;
 * - unannotated binary arrives as Uint8Array: its base64 string;
 * - lists and structs are normalized element by element.
 */
export function normalizeParquetValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    const asNumber = Number(value);
    return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
  }
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) return value.map(normalizeParquetValue);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, normalizeParquetValue(item)]));
}

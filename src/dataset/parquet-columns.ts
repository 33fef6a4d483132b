/**
 * Column kinds (column-kinds.ts) as Parquet schema elements and values. Lists use the standard
 * three-level LIST layout (`<name>` LIST → `list` REPEATED → `element`), which pyarrow reads as
 * `list<element: struct<role: string, content: string>>` and `datasets` as
 * `List({'role': Value('string'), 'content': Value('string')})`. Every column is OPTIONAL, so a
 * missing value is a null; reading back drops nulls, so a row reads as it was written to JSONL.
 */
import type { SchemaElement } from 'hyparquet';
import { isPlainObject, type ColumnKind, type ColumnSpec } from './column-kinds.js';

const utf8 = (name: string): SchemaElement => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });

export function parquetSchemaOf(columns: readonly ColumnSpec[]): SchemaElement[] {
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }];
  for (const column of columns) schema.push(...elementsOf(column.name, column.kind));
  return schema;
}

function elementsOf(name: string, kind: ColumnKind): SchemaElement[] {
  switch (kind.type) {
    case 'string':
    case 'json':
      return [utf8(name)];
    case 'int64':
      return [{ name, type: 'INT64', repetition_type: 'OPTIONAL' }];
    case 'double':
      return [{ name, type: 'DOUBLE', repetition_type: 'OPTIONAL' }];
    case 'bool':
      return [{ name, type: 'BOOLEAN', repetition_type: 'OPTIONAL' }];
    case 'string-list':
      return [...listHead(name), utf8('element')];
    case 'double-list':
      return [...listHead(name), { name: 'element', type: 'DOUBLE', repetition_type: 'OPTIONAL' }];
    case 'float32-list':
      // pyarrow: list<element: float>; the writer rounds each number to float32.
      return [...listHead(name), { name: 'element', type: 'FLOAT', repetition_type: 'OPTIONAL' }];
    case 'struct-list':
      return [
        ...listHead(name),
        { name: 'element', repetition_type: 'OPTIONAL', num_children: kind.fields.length },
        ...kind.fields.map((field) => utf8(field)),
      ];
  }
}

function listHead(name: string): SchemaElement[] {
  return [
    { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  ];
}

/** A row value as the Parquet writer takes it (bigint for INT64, JSON text for `json`). */
export function toParquetValue(kind: ColumnKind, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  switch (kind.type) {
    case 'json':
      return JSON.stringify(value);
    case 'int64':
      return BigInt(value as number);
    case 'struct-list':
      // Every struct carries every field, so the writer sees one shape; absent fields are nulls.
      return (value as Record<string, unknown>[]).map((item) => structOf(kind.fields, item));
    default:
      return value;
  }
}

function structOf(fields: readonly string[], item: Record<string, unknown>): Record<string, unknown> {
  const struct: Record<string, unknown> = {};
  for (const field of fields) {
    const value = item[field] ?? null;
    // A field named __proto__ stays a field, as Object.fromEntries made it, not the prototype.
    if (field === '__proto__') Object.defineProperty(struct, field, { value, enumerable: true, writable: true, configurable: true });
    else struct[field] = value;
  }
  return struct;
}

/** A value read back by hyparquet as the row held it; `undefined` means "leave the key out". */
export function fromParquetValue(kind: ColumnKind, value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  switch (kind.type) {
    case 'json':
      return JSON.parse(value as string);
    case 'int64':
      return Number(value as bigint);
    case 'struct-list':
      return (value as unknown[]).map((item) => (isPlainObject(item) ? dropNulls(item) : item));
    default:
      return value;
  }
}

function dropNulls(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([, fieldValue]) => fieldValue !== null && fieldValue !== undefined));
}

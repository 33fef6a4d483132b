/**
 * Column kinds as Hugging Face `datasets` features: the list form the dataset card's
 * `dataset_info.features` holds, and the dict form `datasets` itself stores in a Parquet file's
 * `huggingface` key-value metadata (`{"info": {"features": ...}}`). `json` columns are strings there.
 */
import type { ColumnKind, ColumnSpec } from './column-kinds.js';

const DTYPE: Record<'string' | 'int64' | 'double' | 'bool' | 'json', string> = {
  string: 'string',
  int64: 'int64',
  double: 'float64',
  bool: 'bool',
  json: 'string',
};

export type CardFeature = { name: string; dtype: string } | { name: string; list: string | { name: string; dtype: string }[] };

export function cardFeaturesOf(columns: readonly ColumnSpec[]): CardFeature[] {
  return columns.map(({ name, kind }) => {
    if (kind.type === 'string-list') return { name, list: 'string' };
    if (kind.type === 'double-list') return { name, list: 'float64' };
    if (kind.type === 'float32-list') return { name, list: 'float32' };
    if (kind.type === 'struct-list') return { name, list: kind.fields.map((field) => ({ name: field, dtype: 'string' })) };
    return { name, dtype: DTYPE[kind.type] };
  });
}

export function featuresDictOf(columns: readonly ColumnSpec[]): Record<string, unknown> {
  return Object.fromEntries(columns.map(({ name, kind }) => [name, featureOf(kind)]));
}

/**
 * Written in the forms both `datasets` 3.x and 4.x+ read: 3.x has no `List` type, and 4.x+ still
 * reads `Sequence` (as a `List`) and a one-element JSON list. A list of structs must be the JSON list:
 * `Sequence` of a struct means a struct of lists in 3.x.
 */
function featureOf(kind: ColumnKind): unknown {
  const value = (dtype: string) => ({ dtype, _type: 'Value' });
  if (kind.type === 'string-list') return { feature: value('string'), _type: 'Sequence' };
  if (kind.type === 'double-list') return { feature: value('float64'), _type: 'Sequence' };
  if (kind.type === 'float32-list') return { feature: value('float32'), _type: 'Sequence' };
  if (kind.type === 'struct-list') return [Object.fromEntries(kind.fields.map((field) => [field, value('string')]))];
  return value(DTYPE[kind.type]);
}

import { describe, expect, it } from 'vitest';
import type { ColumnSpec } from '../../src/dataset/column-kinds.js';
import { featuresDictOf } from '../../src/dataset/hf-features.js';

/** The feature types `datasets` 3.x knows by name: it has no `List` (added in 4.0). */
const DATASETS_3_TYPES = new Set(['Value', 'Sequence', 'ClassLabel', 'Translation', 'TranslationVariableLanguages', 'Array2D', 'Array3D', 'Array4D', 'Array5D', 'Audio', 'Image']);

function typesIn(feature: unknown): string[] {
  if (Array.isArray(feature)) return feature.flatMap(typesIn);
  if (typeof feature !== 'object' || feature === null) return [];
  return Object.entries(feature).flatMap(([key, value]) => (key === '_type' ? [String(value)] : typesIn(value)));
}

describe('Parquet huggingface features', () => {
  const columns: ColumnSpec[] = [
    { name: 'id', kind: { type: 'string' } },
    { name: 'count', kind: { type: 'int64' } },
    { name: 'tags', kind: { type: 'string-list' } },
    { name: 'scores', kind: { type: 'double-list' } },
    { name: 'vector', kind: { type: 'float32-list' } },
    { name: 'messages', kind: { type: 'struct-list', fields: ['role', 'content'] } },
  ];

  it('uses only feature types that datasets 3.x and 4.x both read', () => {
    const types = typesIn(featuresDictOf(columns));
    expect(types.length).toBeGreaterThan(0);
    for (const type of types) expect(DATASETS_3_TYPES.has(type), `${type} is unknown to datasets 3.x`).toBe(true);
  });

  it('writes a list of structs as a one-element JSON list, which 3.x reads as list<struct> (Sequence of a struct would be a struct of lists)', () => {
    const features = featuresDictOf(columns);
    expect(features.messages).toEqual([{ role: { dtype: 'string', _type: 'Value' }, content: { dtype: 'string', _type: 'Value' } }]);
    expect(features.tags).toEqual({ feature: { dtype: 'string', _type: 'Value' }, _type: 'Sequence' });
  });
});

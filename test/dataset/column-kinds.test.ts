import { describe, expect, it } from 'vitest';
import { ColumnTracker, kindOfValue, mergeKinds } from '../../src/dataset/column-kinds.js';

describe('column kinds', () => {
  it('reads a kind off each value', () => {
    expect(kindOfValue('x')).toEqual({ type: 'string' });
    expect(kindOfValue(3)).toEqual({ type: 'int64' });
    expect(kindOfValue(3.5)).toEqual({ type: 'double' });
    expect(kindOfValue(2 ** 60)).toEqual({ type: 'double' });
    expect(kindOfValue(true)).toEqual({ type: 'bool' });
    expect(kindOfValue(null)).toEqual({ type: 'null' });
    expect(kindOfValue([])).toEqual({ type: 'empty-list' });
    expect(kindOfValue(['a'])).toEqual({ type: 'string-list' });
    expect(kindOfValue([0.1, 2])).toEqual({ type: 'double-list' });
    expect(kindOfValue([{ role: 'user', content: 'x' }, { role: 'assistant', content: 'y', name: null }])).toEqual({ type: 'struct-list', fields: ['role', 'content', 'name'] });
    expect(kindOfValue([{ n: 1 }])).toEqual({ type: 'json' });
    expect(kindOfValue({ a: 1 })).toEqual({ type: 'json' });
  });

  it('joins kinds: numbers widen, lists settle, struct fields unite, conflicts become json', () => {
    expect(mergeKinds({ type: 'int64' }, { type: 'double' })).toEqual({ type: 'double' });
    expect(mergeKinds({ type: 'null' }, { type: 'bool' })).toEqual({ type: 'bool' });
    expect(mergeKinds({ type: 'empty-list' }, { type: 'double-list' })).toEqual({ type: 'double-list' });
    expect(mergeKinds({ type: 'struct-list', fields: ['a'] }, { type: 'struct-list', fields: ['b', 'a'] })).toEqual({ type: 'struct-list', fields: ['a', 'b'] });
    expect(mergeKinds({ type: 'string' }, { type: 'int64' })).toEqual({ type: 'json' });
    expect(mergeKinds({ type: 'string-list' }, { type: 'double-list' })).toEqual({ type: 'json' });
  });

  it('tracks columns in order of first appearance after the hints, settling undecided ones', () => {
    const tracker = new ColumnTracker([{ name: 'id', kind: { type: 'string' } }]);
    tracker.observe({ a: null, id: 'x', b: [] });
    tracker.observe({ c: 1, a: 2 });
    expect(tracker.columns()).toEqual([
      { name: 'id', kind: { type: 'string' } },
      { name: 'a', kind: { type: 'int64' } },
      { name: 'b', kind: { type: 'string-list' } },
      { name: 'c', kind: { type: 'int64' } },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { ColumnTracker, kindOfValue, mergeKinds, settleKind, type InferredKind } from '../../src/dataset/column-kinds.js';
import { createRandom } from '../../bench/random.js';

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

  it('observes what kindOfValue and mergeKinds say on every row, the skipped rows included', () => {
    const random = createRandom(11);
    const values: unknown[] = [
      'x', true, 3, 2.5, 2 ** 60, Number.NaN, null, undefined, [], ['a'], [1, 2.5], [Number.POSITIVE_INFINITY], [{}],
      [{ role: 'user', content: 'x' }], [{ role: 'user', content: null }], [{ role: 'user' }, { name: 'n' }], [{ role: 1 }], [['a']], { a: 1 },
    ];
    for (let trial = 0; trial < 200; trial++) {
      const vectorColumns = random() < 0.5 ? ['v'] : [];
      const tracker = new ColumnTracker([{ name: 'm', kind: { type: 'struct-list', fields: ['role', 'content'] } }], { vectorColumns });
      const reference = new Map<string, InferredKind>([['m', { type: 'struct-list', fields: ['role', 'content'] }]]);
      for (let rowIndex = 0; rowIndex < 20; rowIndex++) {
        const row: Record<string, unknown> = {};
        for (const name of ['m', 'v', 'n', 'id']) if (random() < 0.7) row[name] = values[Math.floor(random() * values.length)];
        let changed = false;
        for (const [name, value] of Object.entries(row)) {
          if (value === undefined || name === 'id') continue;
          let kind = kindOfValue(value);
          if (kind.type === 'double-list' && vectorColumns.includes(name)) kind = { type: 'float32-list' };
          const seen = reference.get(name);
          const merged = seen === undefined ? kind : mergeKinds(seen, kind);
          if (seen === undefined || JSON.stringify(seen) !== JSON.stringify(merged)) changed = true;
          reference.set(name, merged);
        }
        expect(tracker.observe(row, 'id'), JSON.stringify(row)).toBe(changed);
        expect(tracker.columns()).toEqual([...reference].map(([name, kind]) => ({ name, kind: settleKind(kind) })));
      }
    }
  });
});

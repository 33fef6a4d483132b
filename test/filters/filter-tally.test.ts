import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/filters/compile-filter.js';
import { FilterTally } from '../../src/filters/filter-tally.js';

describe('FilterTally', () => {
  const filter = compileFilter({ field: 'answer', min_chars: 5, not_matches: '(?i)as an ai' });

  it('counts removals per rule, zeros included, in written order', () => {
    const tally = new FilterTally(filter.rules);
    for (const answer of ['long enough', 'no', 'as an AI I say', undefined, 'fine answer']) {
      tally.count(filter.test(answer === undefined ? {} : { answer }));
    }
    expect(tally.toJSON()).toEqual([
      { rule: 'answer min_chars 5', removed: 2 },
      { rule: 'answer not_matches "(?i)as an ai"', removed: 1 },
    ]);
    expect(tally.kept).toBe(2);
    expect(tally.removed).toBe(3);
  });

  it('lists rules it was not seeded with after the seeded ones, sorted, whatever the arrival order', () => {
    const first = new FilterTally(['seeded']);
    const second = new FilterTally(['seeded']);
    const verdicts = [
      { keep: false, rule: 'zeta', detail: '' },
      { keep: false, rule: 'alpha', detail: '' },
      { keep: false, rule: 'zeta', detail: '' },
    ] as const;
    for (const verdict of verdicts) first.count(verdict);
    for (const verdict of [...verdicts].reverse()) second.count(verdict);
    expect(first.toJSON()).toEqual([
      { rule: 'seeded', removed: 0 },
      { rule: 'alpha', removed: 1 },
      { rule: 'zeta', removed: 2 },
    ]);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it('starts empty without seeds', () => {
    const tally = new FilterTally();
    expect(tally.toJSON()).toEqual([]);
    tally.count({ keep: true });
    expect(tally.kept).toBe(1);
    expect(tally.removed).toBe(0);
  });
});

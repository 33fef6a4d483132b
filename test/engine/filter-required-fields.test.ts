import { describe, expect, it } from 'vitest';
import { filterRequiredFields, missingFilterField } from '../../src/engine/filter-required-fields.js';
import type { FilterSpec } from '../../src/filters/filter-spec.js';

const missing = (spec: FilterSpec, fields: Record<string, unknown>) => missingFilterField(fields, filterRequiredFields(spec));

describe('filterRequiredFields', () => {
  it('a rule reads its field, unless a missing value answers it (exists, ne, not_in)', () => {
    expect(missing({ field: 'answer', min_chars: 3 }, {})).toBe('field "answer" is missing (filter rule "answer min_chars 3" reads it)');
    expect(missing({ field: 'meta.score', gte: 4 }, { meta: {} })).toBe('field "meta.score" is missing (filter rule "meta.score gte 4" reads it)');
    expect(missing({ field: 'answer', min_chars: 3, name: 'long-enough' }, {})).toBe('field "answer" is missing (filter rule "long-enough" reads it)');
    expect(missing({ field: 'answer', exists: true, min_chars: 3 }, {})).toBeUndefined();
    expect(missing({ field: 'label', ne: 'n/a' }, {})).toBeUndefined();
    expect(missing({ field: 'tags', not_in: ['spam'] }, {})).toBeUndefined();
    expect(missing({ field: 'answer', min_chars: 3 }, { answer: null })).toBeUndefined();
  });

  it('all requires what each child requires; any and not require nothing', () => {
    const all: FilterSpec = { all: [{ field: 'q', min_chars: 1 }, { field: 'n', gte: 1 }] };
    expect(missing(all, { q: 'x' })).toBe('field "n" is missing (filter rule "n gte 1" reads it)');
    expect(missing({ any: [{ field: 'q', max_words: 40 }, { field: 'tags', not_in: ['spam'] }] }, {})).toBeUndefined();
    expect(missing({ not: { field: 'answer', eq: 'n/a' } }, {})).toBeUndefined();
  });
});

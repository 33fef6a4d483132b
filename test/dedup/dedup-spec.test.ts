import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { dedupSpecSchema, parseDedupSpec, type DedupSpec } from '../../src/dedup/dedup-spec.js';

// The recipe loader relies on the schema producing exactly DedupSpec.
const typed: z.ZodType<DedupSpec> = dedupSpecSchema;

function issuesOf(input: unknown): { path: string; message: string }[] {
  const result = typed.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

describe('dedupSpecSchema', () => {
  it('fills the defaults', () => {
    expect(parseDedupSpec({ fields: ['question'] })).toEqual({ fields: ['question'], exact: true });
    expect(parseDedupSpec({ fields: ['question'], near: {} })).toEqual({
      fields: ['question'],
      exact: true,
      near: { threshold: 0.8, num_perm: 128, ngram: 5, fold_digits: false, char_ngrams: false, high_recall: false },
    });
  });

  it('accepts the documented full form', () => {
    const spec = parseDedupSpec({
      fields: ['question', 'meta.title'],
      exact: true,
      near: { threshold: 0.8, num_perm: 128, ngram: 5, bands: 16, rows: 8, fold_digits: false, char_ngrams: false },
      against: 'previous',
    });
    expect(spec.near?.bands).toBe(16);
    expect(spec.against).toBe('previous');
  });

  it('rejects unknown keys at every level', () => {
    expect(issuesOf({ fields: ['q'], exakt: true })[0]?.message).toMatch(/exakt/);
    expect(issuesOf({ fields: ['q'], near: { treshold: 0.8 } })).toEqual([expect.objectContaining({ path: 'near' })]);
    expect(issuesOf({ fields: ['q'], semantic: { field: 'v', threshold: 0.9 } })).not.toEqual([]);
  });

  it('rejects bad thresholds and sizes', () => {
    for (const threshold of [0, -0.1, 1.01, 80, Number.NaN, '0.8']) {
      expect(issuesOf({ fields: ['q'], near: { threshold } }), `threshold ${String(threshold)}`).not.toEqual([]);
    }
    expect(issuesOf({ fields: ['q'], near: { threshold: 1 } })).toEqual([]);
    expect(issuesOf({ fields: ['q'], near: { num_perm: 100.5 } })).not.toEqual([]);
    expect(issuesOf({ fields: ['q'], near: { ngram: 0 } })).not.toEqual([]);
  });

  it('rejects bands × rows above num_perm, naming the numbers', () => {
    expect(issuesOf({ fields: ['q'], near: { bands: 20, rows: 8 } })).toEqual([
      { path: 'near.bands', message: expect.stringContaining('20 × 8 = 160 exceeds num_perm 128') },
    ]);
    expect(issuesOf({ fields: ['q'], near: { bands: 20, rows: 8, num_perm: 160 } })).toEqual([]);
  });

  it('requires fields, and a step that does something', () => {
    expect(issuesOf({})).not.toEqual([]);
    expect(issuesOf({ fields: [] })).not.toEqual([]);
    expect(issuesOf({ fields: ['a..b'] })).not.toEqual([]);
    expect(issuesOf({ fields: ['q'], exact: false })).toEqual([expect.objectContaining({ path: 'exact' })]);
    expect(issuesOf({ fields: ['q'], exact: false, near: {} })).toEqual([]);
    expect(issuesOf({ fields: ['q'], against: 'v1' })).not.toEqual([]);
  });
});

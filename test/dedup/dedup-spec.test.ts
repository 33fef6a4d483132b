import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { DEFAULT_MAX_INDEX_MB, dedupSpecSchema, parseDedupSpec, resolveDedupConfig, type DedupSpec } from '../../src/dedup/dedup-spec.js';
import { loadRecipe } from '../../src/recipe/load-recipe.js';
import { RecipeError } from '../../src/recipe/recipe-error.js';
import { useTempDirs } from '../helpers/temp-dir.js';

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
    expect(issuesOf({ semantic: { field: 'v', treshold: 0.9 } })).toEqual([expect.objectContaining({ path: 'semantic' })]);
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

  it('accepts semantic alone: no fields, exact off', () => {
    expect(parseDedupSpec({ semantic: { field: 'embedding' } })).toEqual({
      fields: [],
      exact: false,
      semantic: { field: 'embedding', threshold: 0.95, index: 'auto' },
    });
    expect(parseDedupSpec({ exact: false, semantic: { field: 'meta.vector', threshold: 0.9, index: 'lsh', bits: 12, tables: 20 } })).toEqual({
      fields: [],
      exact: false,
      semantic: { field: 'meta.vector', threshold: 0.9, index: 'lsh', bits: 12, tables: 20 },
    });
  });

  it('combines semantic with exact and near (exact stays on by default when fields are given)', () => {
    const spec = parseDedupSpec({ fields: ['question'], near: {}, semantic: { field: 'embedding', index: 'exact' }, against: 'previous' });
    expect(spec.exact).toBe(true);
    expect(spec.near?.threshold).toBe(0.8);
    expect(spec.semantic).toEqual({ field: 'embedding', threshold: 0.95, index: 'exact' });
    expect(spec.against).toBe('previous');
  });

  it('rejects bad semantic settings at their paths', () => {
    for (const threshold of [0, -0.5, 1.01, 95, '0.95']) {
      expect(issuesOf({ semantic: { field: 'v', threshold } }).map((issue) => issue.path), `threshold ${String(threshold)}`).toEqual(['semantic.threshold']);
    }
    expect(issuesOf({ semantic: { field: 'v', threshold: 1 } })).toEqual([]);
    expect(issuesOf({ semantic: { field: 'v', threshold: 95 } })[0]?.message).toMatch(/cosine similarity ≤ 1/);
    expect(issuesOf({ semantic: {} }).map((issue) => issue.path)).toEqual(['semantic.field']);
    expect(issuesOf({ semantic: { field: 'a..b' } }).map((issue) => issue.path)).toEqual(['semantic.field']);
    expect(issuesOf({ semantic: { field: 'v', index: 'hnsw' } }).map((issue) => issue.path)).toEqual(['semantic.index']);
    expect(issuesOf({ semantic: { field: 'v', bits: 31 } }).map((issue) => issue.path)).toEqual(['semantic.bits']);
    expect(issuesOf({ semantic: { field: 'v', tables: 0 } }).map((issue) => issue.path)).toEqual(['semantic.tables']);
    expect(issuesOf({ semantic: { field: 'v', index: 'exact', bits: 12 } })).toEqual([
      { path: 'semantic.bits', message: expect.stringContaining('index: exact does not use') },
    ]);
  });

  it('says which part is missing when fields and methods do not fit together', () => {
    expect(issuesOf({})).toEqual([{ path: 'fields', message: expect.stringContaining('semantic') }]);
    expect(issuesOf({ near: {}, semantic: { field: 'v' } })).toEqual([{ path: 'fields', message: expect.stringContaining('list the fields') }]);
    expect(issuesOf({ exact: true, semantic: { field: 'v' } })).toEqual([{ path: 'fields', message: expect.stringContaining('list the fields') }]);
    expect(issuesOf({ fields: ['q'], exact: false, semantic: { field: 'v' } })).toEqual([
      { path: 'fields', message: expect.stringContaining('compared only by exact and near') },
    ]);
    expect(issuesOf({ fields: ['q'], exact: false })).toEqual([{ path: 'exact', message: expect.stringContaining('semantic: { field') }]);
  });
});

describe('max_index_mb', () => {
  const tempDir = useTempDirs();

  it('defaults to 256 MiB of shingle sets and takes any size from 16 MiB', () => {
    expect(resolveDedupConfig(parseDedupSpec({ fields: ['q'], near: {} })).maxIndexBytes).toBe(DEFAULT_MAX_INDEX_MB * 2 ** 20);
    expect(DEFAULT_MAX_INDEX_MB).toBe(256);
    expect(resolveDedupConfig(parseDedupSpec({ fields: ['q'], near: {}, max_index_mb: 64 })).maxIndexBytes).toBe(64 * 2 ** 20);
    expect(issuesOf({ fields: ['q'], near: {}, max_index_mb: 8 })).toEqual([{ path: 'max_index_mb', message: 'max_index_mb is in MiB: at least 16' }]);
  });

  it('is reported at its line in a recipe when too small', async () => {
    const path = join(tempDir(), 'recipe.yaml');
    writeFileSync(
      path,
      'name: demo\nseeds:\n  - inline: [{ q: a }]\nsteps:\n  - dedup:\n      fields: [q]\n      near: { threshold: 0.8 }\n      max_index_mb: 4\n',
    );
    const failure = await loadRecipe(path).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RecipeError);
    expect((failure as RecipeError).exitCode).toBe(2);
    expect((failure as RecipeError).issues[0]).toMatchObject({ file: path, line: 8, path: ['steps', 0, 'dedup', 'max_index_mb'] });
    expect((failure as RecipeError).issues[0]!.message).toContain('at least 16');
  });
});

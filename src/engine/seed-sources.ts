import type { SeedSourceSpec } from '../seeds/seed-source.js';
import type { Locate, Recipe } from '../recipe/recipe.js';

/** The recipe's `seeds:` entries as seed-source specs (the seeds module knows nothing of recipes). */
export function toSeedSpecs(recipe: Recipe, locate?: Locate): SeedSourceSpec[] {
  return recipe.seeds.map((seed) => {
    const position = locate?.(['seeds', seed.index]);
    const common = {
      ...(seed.limit !== undefined ? { limit: seed.limit } : {}),
      ...(seed.sample !== undefined ? { sample: seed.sample } : {}),
      ...(seed.id_field !== undefined ? { idField: seed.id_field } : {}),
      ...(position ? { location: { file: recipe.source.file, line: position.line, column: position.column } } : {}),
    };
    if ('inline' in seed) return { kind: 'inline', records: seed.inline, ...common };
    if ('jsonl' in seed) return { kind: 'jsonl', path: seed.jsonl, ...common };
    if ('parquet' in seed) return { kind: 'parquet', path: seed.parquet, ...common };
    if ('product' in seed) return { kind: 'product', attributes: seed.product, ...common };
    const csv = typeof seed.csv === 'string' ? { path: seed.csv } : seed.csv;
    return { kind: 'csv', ...csv, ...common };
  });
}

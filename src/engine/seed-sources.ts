/** The recipe's seeds as the seeds module reads them, and the field names they provide. */
import type { SamplersSpec } from '../seeds/samplers/sampler-spec.js';
import type { SeedSourceSpec } from '../seeds/seed-source.js';
import type { LoadedRecipe, Locate, Recipe } from '../recipe/recipe.js';
import { SynthforgeError } from '../errors.js';
import { countSeeds, openSeeds } from '../seeds/open-seeds.js';

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
    if ('samplers' in seed) return { kind: 'samplers', ...(seed.samplers as SamplersSpec), ...common };
    const csv = typeof seed.csv === 'string' ? { path: seed.csv } : seed.csv;
    return { kind: 'csv', ...csv, ...common };
  });
}

/**
 * The field names seed records provide, read from the first records of each source. Enough to check
 * template variables before a run; records further down that lack a field fail at render time
 * with the record's id.
 */

const PEEK_RECORDS = 100;

export async function sampleSeedFields(recipe: Recipe): Promise<{ fields: string[]; errors: { index: number; message: string }[] }> {
  const fields = new Set<string>();
  const specs = toSeedSpecs(recipe).map((spec) => ({ ...spec, limit: Math.min(spec.limit ?? PEEK_RECORDS, PEEK_RECORDS) }));
  try {
    for await (const record of openSeeds(specs, { baseDir: recipe.source.dir })) {
      for (const name of Object.keys(record.fields)) fields.add(name);
    }
  } catch (error) {
    if (!SynthforgeError.isInstance(error)) throw error;
    const sourceIndex = (error.details as { sourceIndex?: number }).sourceIndex ?? 0;
    return { fields: [...fields], errors: [{ index: recipe.seeds[sourceIndex]?.index ?? sourceIndex, message: error.message }] };
  }
  return { fields: [...fields], errors: [] };
}

/**
 * Reads every seed record the run would read (after `limit` and `sample`), streamed, and counts them:
 * `validate --data`. Throws the same SeedError (file:line) that would stop the run.
 */
export async function scanSeedData(loaded: LoadedRecipe): Promise<{ total: number; perSource: number[] }> {
  return countSeeds(toSeedSpecs(loaded.recipe, loaded.locate), { baseDir: loaded.recipe.source.dir });
}

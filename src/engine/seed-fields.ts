/**
 * The field names seed records provide, read from the first records of each source. Enough to check
 * template variables before a run; records further down that lack a field fail at render time
 * with the record's id.
 */
import { SynthforgeError } from '../errors.js';
import { openSeeds } from '../seeds/open-seeds.js';
import type { Recipe } from '../recipe/recipe.js';
import { toSeedSpecs } from './seed-sources.js';

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

/** A samplers source as recipes use it: reproducible, independent columns, typed in TS, counted without drawing. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DataRecord } from '../../../src/domain.js';
import { toSeedSpecs } from '../../../src/engine/seed-sources.js';
import { defineRecipe, type RecipeInput } from '../../../src/recipe/define-recipe.js';
import { loadRecipe, loadRecipeObject } from '../../../src/recipe/load-recipe.js';
import { countSeeds, openSeeds } from '../../../src/seeds/open-seeds.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

const tempDir = useTempDirs();

const COLUMNS = `        topic: { category: { values: [billing, shipping, returns], weights: [0.5, 0.3, 0.2] } }
        subtopic: { subcategory: { of: topic, values: { billing: [refund, invoice], shipping: [late, lost], returns: [label] } } }
        age: { gaussian: { mean: 35, sd: 10, min: 18, max: 90, round: 0 } }
        tickets: { poisson: { lambda: 2 } }
        opened: { datetime: { from: 2024-01-01, to: 2024-12-31, unit: day } }
        id: { uuid: {} }
        customer: { person: { locale: de, fields: [first_name, last_name, age, email] } }
`;

function recipeYaml(seed: number, extraColumn = ''): string {
  return `name: r
seeds:
  - samplers:
      count: 200
      seed: ${seed}
      columns:
${extraColumn}${COLUMNS}steps:
  - generate: q
    model: openai/gpt-4o-mini
    prompt: "{{ subtopic }} for {{ customer.first_name }}, {{ age }}"
    schema: { type: object, properties: { q: { type: string } } }
`;
}

async function recordsOf(yaml: string): Promise<DataRecord[]> {
  const dir = tempDir();
  writeFileSync(join(dir, 'r.yaml'), yaml);
  const loaded = await loadRecipe(join(dir, 'r.yaml'));
  const records: DataRecord[] = [];
  for await (const record of openSeeds(toSeedSpecs(loaded.recipe, loaded.locate), { baseDir: dir })) records.push(record);
  return records;
}

describe('samplers seed source', () => {
  it('the same recipe yields identical records; another seed, different ones', async () => {
    const first = await recordsOf(recipeYaml(7));
    const again = await recordsOf(recipeYaml(7));
    expect(first).toHaveLength(200);
    expect(again).toEqual(first);
    const other = await recordsOf(recipeYaml(8));
    for (const name of ['subtopic', 'age', 'opened', 'id', 'customer']) {
      expect(other.map((record) => record.fields[name])).not.toEqual(first.map((record) => record.fields[name]));
    }
  });

  it('adding a column leaves every other column as it was; fields keep the order written', async () => {
    const before = await recordsOf(recipeYaml(7));
    const after = await recordsOf(recipeYaml(7, '        score: { uniform: { min: 0, max: 1 } }\n'));
    expect(Object.keys(after[0]!.fields)).toEqual(['score', 'topic', 'subtopic', 'age', 'tickets', 'opened', 'id', 'customer']);
    expect(after.map(({ fields: { score, ...rest } }) => rest)).toEqual(before.map((record) => record.fields));
  });

  it('names a record by its seed entry and number, and gives positional ids', async () => {
    const records = await recordsOf(recipeYaml(7));
    expect(records[4]).toMatchObject({ id: 's0-000004', source: 'seeds[0] (samplers) record 5' });
  });

  it('is counted from `count`, `limit` and `sample` without drawing a record', async () => {
    const dir = tempDir();
    const spec = (extra: object) => ({ kind: 'samplers' as const, count: 1_000_000, seed: 1, columns: { id: { uuid: {} } }, ...extra });
    // A million person draws would take minutes; counting must not draw them.
    const person = { kind: 'samplers' as const, count: 1_000_000, seed: 1, columns: { p: { person: { locale: 'en' as const, fields: ['email' as const], age: { min: 1, max: 2 } } } } };
    expect(await countSeeds([spec({}), spec({ limit: 10 }), spec({ limit: 50, sample: { n: 7, seed: 1 } }), person], { baseDir: dir })).toEqual({
      total: 2_000_017,
      perSource: [1_000_000, 10, 7, 1_000_000],
    });
  });

  it('is written in a TS recipe with its types, defaults filled in', async () => {
    const input = defineRecipe({
      name: 'typed',
      seeds: [
        {
          samplers: {
            count: 3,
            columns: {
              tier: { category: { values: ['free', 'pro'], weights: [3, 1] } },
              plan: { subcategory: { of: 'tier', values: { free: ['basic'], pro: ['team', 'enterprise'] } } },
              who: { person: { locale: 'fr' } },
            },
          },
        },
      ],
      steps: [{ generate: 'q', model: 'openai/gpt-4o-mini', prompt: '{{ plan }}', schema: { type: 'object', properties: { q: { type: 'string' } } } }],
    } satisfies RecipeInput);
    const loaded = loadRecipeObject(input);
    const records: DataRecord[] = [];
    for await (const record of openSeeds(toSeedSpecs(loaded.recipe), { baseDir: '.' })) records.push(record);
    expect(records).toHaveLength(3);
    expect(Object.keys(records[0]!.fields.who as object)).toEqual(['first_name', 'last_name', 'age', 'email']);
  });

  it('refuses a bad source handed to openSeeds directly, naming the entry and the key path', async () => {
    const spec = { kind: 'samplers' as const, count: 2, seed: 0, columns: { sub: { subcategory: { of: 'nothing', values: { a: ['x'] } } } }, location: { file: 'r.ts', line: 3, column: 5 } };
    await expect(async () => {
      for await (const record of openSeeds([spec], { baseDir: '.' })) void record;
    }).rejects.toThrow('r.ts:3:5: seeds[0]: samplers.columns.sub.subcategory.of: "nothing" names no column; columns: sub');
  });
});

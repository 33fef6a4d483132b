import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRecipe } from '../../src/recipe/load-recipe.js';
import { RecipeError } from '../../src/recipe/recipe-error.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

const recipe = (extra = '') => `name: demo
seeds:
  - inline: [{ topic: tea }]
${extra}steps:
  - filter: { field: topic, min_chars: 1 }
`;

async function load(text: string) {
  const path = join(tempDir(), 'recipe.yaml');
  writeFileSync(path, text);
  return { path, loaded: loadRecipe(path) };
}

describe('max_error_rate', () => {
  it('defaults to 0.1 and takes a share between 0 and 1', async () => {
    expect((await (await load(recipe())).loaded).recipe.max_error_rate).toBe(0.1);
    expect((await (await load(recipe('max_error_rate: 0\n'))).loaded).recipe.max_error_rate).toBe(0);
    expect((await (await load(recipe('max_error_rate: 0.25\n'))).loaded).recipe.max_error_rate).toBe(0.25);
  });

  it('refuses a value outside 0..1 at its line', async () => {
    const { path, loaded } = await load(recipe('max_error_rate: 10\n'));
    const error = await loaded.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RecipeError);
    const issue = (error as RecipeError).issues[0]!;
    expect(issue).toMatchObject({ file: path, line: 4, path: ['max_error_rate'] });
    expect(issue.message).toMatch(/<=1|at most 1|less than or equal to 1/);
  });

  it('is not part of the run identity, so raising it continues the same run', async () => {
    const base = await (await load(recipe())).loaded;
    const raised = await (await load(recipe('max_error_rate: 0.5\n'))).loaded;
    expect(raised.recipe.source.workHash).toBe(base.recipe.source.workHash);
    expect(raised.recipe.source.hash).not.toBe(base.recipe.source.hash);
  });
});

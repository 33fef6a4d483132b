import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRecipe } from '../../src/recipe/load-recipe.js';
import { RecipeError, type RecipeIssue } from '../../src/recipe/recipe-error.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

function writeRecipe(content: string | Buffer, name = 'recipe.yaml'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, content);
  return path;
}

async function issuesOfFile(path: string): Promise<RecipeIssue[]> {
  try {
    await loadRecipe(path);
  } catch (error) {
    if (error instanceof RecipeError) return error.issues;
    throw error;
  }
  throw new Error('expected the recipe to be rejected');
}

const STEPS = `steps:
  - generate: q
    model: openai/gpt-4o-mini
    prompt: "{{ topic }}"
    schema: { type: object, properties: { q: { type: string } } }
`;

describe('YAML recipes that attack the parser', () => {
  it('refuses an alias bomb at the alias that crosses the limit', async () => {
    const levels = Array.from({ length: 9 }, (_, index) => `x${index + 1}: &a${index + 1} [${Array(9).fill(`*a${index}`).join(', ')}]`);
    const path = writeRecipe(`name: r\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n${levels.join('\n')}\nseeds: []\n${STEPS}`);
    const issues = await issuesOfFile(path);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: path, code: 'yaml_alias_limit', line: 3, severity: 'error' });
    expect(issues[0]!.message).toContain('aliases expand');
  });

  it('still resolves a few ordinary aliases', async () => {
    const path = writeRecipe(`name: r\nseeds:\n  - inline: [{ topic: tea }]\nsteps:\n  - generate: q\n    model: openai/gpt-4o-mini\n    prompt: "{{ topic }}"\n    schema: &s { type: object, properties: { q: { type: string } } }\n  - generate: r\n    model: openai/gpt-4o-mini\n    prompt: "{{ q }}"\n    schema: *s\n`);
    const loaded = await loadRecipe(path);
    expect(loaded.recipe.steps).toHaveLength(2);
  });

  it('refuses nesting deeper than 100 levels at the first node past the limit, however deep', async () => {
    for (const depth of [101, 880, 5000]) {
      const path = writeRecipe(`name: r\nseeds:\n  - inline: [{ topic: ${'['.repeat(depth)}${']'.repeat(depth)} }]\n${STEPS}`);
      const issues = await issuesOfFile(path);
      expect(issues).toHaveLength(1);
      // Three levels (root mapping, seeds list, entry mapping) and the inline list and record come first.
      expect(issues[0]).toMatchObject({ file: path, code: 'yaml_too_deep', line: 3, column: 22 + 96 });
      expect(issues[0]!.message).toBe('YAML nests deeper than 100 levels here; a recipe may nest at most 100 levels of lists and mappings');
    }
  });

  it('refuses deep block-style nesting as well', async () => {
    let text = 'name: r\nx:\n';
    let indent = '  ';
    for (let level = 0; level < 5000; level += 1) {
      text += `${indent}a:\n`;
      indent += ' ';
    }
    const issues = await issuesOfFile(writeRecipe(`${text}${indent}1\n`));
    expect(issues[0]).toMatchObject({ code: 'yaml_too_deep' });
  });

  it('accepts nesting up to the limit', async () => {
    const path = writeRecipe(`name: r\nseeds:\n  - inline: [{ topic: ${'['.repeat(95)}${']'.repeat(95)} }]\n${STEPS}`);
    const loaded = await loadRecipe(path);
    expect(loaded.recipe.seeds).toHaveLength(1);
  });
});

describe('recipe files that are not UTF-8', () => {
  it('refuses a YAML recipe with a stray byte, naming its line', async () => {
    const path = writeRecipe(Buffer.concat([Buffer.from('name: r\ndescription: "caf'), Buffer.from([0xe9]), Buffer.from(`"\nseeds: []\n${STEPS}`)]));
    const issues = await issuesOfFile(path);
    expect(issues).toEqual([
      expect.objectContaining({ file: path, line: 2, code: 'recipe_not_utf8', message: 'the recipe is not valid UTF-8 (first bad byte 0xe9 on this line); save it as UTF-8' }),
    ]);
  });

  it('refuses a TS recipe with a stray byte before importing it', async () => {
    const path = writeRecipe(Buffer.concat([Buffer.from('// caf'), Buffer.from([0xe9]), Buffer.from('\nexport default {};\n')]), 'recipe.mts');
    const issues = await issuesOfFile(path);
    expect(issues[0]).toMatchObject({ file: path, line: 1, code: 'recipe_not_utf8' });
  });
});

describe('TS recipes outside an ES module package', () => {
  const RECIPE = `const recipe = {
  name: 'cjs-demo',
  seeds: [{ inline: [{ topic: 'tea' }] }],
  steps: [{ generate: 'q', model: 'openai/gpt-4o-mini', prompt: 'Ask about {{ topic }}', schema: { type: 'object', properties: { q: { type: 'string' } } } }],
};
export default recipe;
`;

  it('unwraps the default export that CommonJS interop nests one level deeper', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), '{ "name": "plain" }\n');
    writeFileSync(join(dir, 'recipe.ts'), RECIPE);
    const loaded = await loadRecipe(join(dir, 'recipe.ts'));
    expect(loaded.recipe.name).toBe('cjs-demo');
  });

  it('says what to change when the recipe cannot be imported as CommonJS', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), '{ "name": "plain" }\n');
    // Top-level await exists only in ES modules, so CommonJS loading fails on it.
    writeFileSync(join(dir, 'recipe.ts'), `await Promise.resolve();\n${RECIPE}`);
    const issues = await issuesOfFile(join(dir, 'recipe.ts'));
    expect(issues[0]).toMatchObject({ code: 'recipe_import_failed' });
    expect(issues[0]!.message).toContain(`loaded as CommonJS because ${join(dir, 'package.json')} does not say "type": "module"`);
    expect(issues[0]!.message).toContain('add "type": "module" to it, or rename the recipe to .mts');
  });

  it('refuses a recipe that calls process.exit while loading, and leaves process.exit working', async () => {
    const path = writeRecipe('process.exit(0);\nexport default {};\n', 'exits.mts');
    const issues = await issuesOfFile(path);
    expect(issues).toEqual([
      expect.objectContaining({
        file: path,
        code: 'recipe_called_exit',
        message: 'the recipe called process.exit(0) while loading; a recipe must only export defineRecipe({...})',
      }),
    ]);
    expect(process.exit.name).not.toBe('refuseExit');
  });

  it('refuses a TS recipe object nested deeper than 100 levels, naming the key path', async () => {
    const path = writeRecipe(
      `let deep: unknown = 'x';\nfor (let i = 0; i < 200000; i++) deep = [deep];\nexport default { name: 'deep', description: 'x', seeds: [{ inline: [{ topic: deep }] }], steps: [] };\n`,
      'deep.mts',
    );
    const issues = await issuesOfFile(path);
    expect(issues[0]).toMatchObject({ file: path, code: 'recipe_too_deep' });
    expect(issues[0]!.path.slice(0, 5)).toEqual(['seeds', 0, 'inline', 0, 'topic']);
    expect(issues[0]!.message).toBe('the recipe nests deeper than 100 levels of lists and objects here');
  });
});

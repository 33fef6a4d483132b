import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileRecipe } from '../../src/api/plan-run.js';
import { loadRecipe } from '../../src/recipe/load-recipe.js';
import { RecipeError, type RecipeIssue } from '../../src/recipe/recipe-error.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

const GOOD = `name: demo
seeds:
  - inline:
      - { topic: tea }
      - { topic: coffee }
steps:
  - generate: question
    model: openai/gpt-4o-mini
    prompt: "Ask about {{ topic }}"
    schema:
      type: object
      properties: { question: { type: string } }
      required: [question]
  - generate: answer
    model: openai/gpt-4o-mini
    prompt: "Answer {{ question }}"
    schema: { type: object, properties: { answer: { type: string } }, required: [answer] }
`;

function writeRecipe(text: string, name = 'recipe.yaml'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

/** Loads and compiles; returns the issues of the RecipeError it must throw. */
async function issuesOf(text: string): Promise<{ path: string; issues: RecipeIssue[] }> {
  const path = writeRecipe(text);
  try {
    await compileRecipe(await loadRecipe(path));
  } catch (error) {
    if (error instanceof RecipeError) return { path, issues: error.issues };
    throw error;
  }
  throw new Error('expected the recipe to be rejected');
}

describe('YAML recipes', () => {
  it('loads a valid recipe with defaults filled in', async () => {
    const loaded = await loadRecipe(writeRecipe(GOOD));
    expect(loaded.recipe.name).toBe('demo');
    expect(loaded.recipe.max_attempts).toBe(3);
    expect(loaded.recipe.output.format).toBe('raw');
    const [first, second] = loaded.recipe.steps;
    expect(first).toMatchObject({ kind: 'generate', name: 'question', n: 1, modelRef: { provider: 'openai', model: 'gpt-4o-mini' } });
    expect(second).toMatchObject({ kind: 'generate', name: 'answer' });
    const compiled = await compileRecipe(loaded);
    expect(compiled.steps).toHaveLength(2);
  });

  it('reports an unknown key at its line and column with a suggestion', async () => {
    const { path, issues } = await issuesOf(GOOD.replace('    prompt: "Ask about', '    temprature: 0.5\n    prompt: "Ask about'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: path, line: 9, column: 5, path: ['steps', 0, 'temprature'], code: 'unknown_key' });
    expect(issues[0]!.message).toContain('did you mean "temperature"');
  });

  it('reports a wrong type at the value', async () => {
    const { issues } = await issuesOf(GOOD.replace('    prompt: "Ask about', '    temperature: hot\n    prompt: "Ask about'));
    expect(issues[0]).toMatchObject({ line: 9, column: 18, path: ['steps', 0, 'temperature'] });
    expect(issues[0]!.message).toMatch(/expected number/);
  });

  it('takes `repair` at the recipe and the step (the step wins), and reports a non-boolean at its line', async () => {
    const loaded = await loadRecipe(writeRecipe(`repair: false\n${GOOD.replace('    prompt: "Answer', '    repair: true\n    prompt: "Answer')}`));
    const compiled = await compileRecipe(loaded);
    expect(compiled.steps.map((step) => (step as { repair?: boolean }).repair)).toEqual([false, true]);
    expect((await compileRecipe(await loadRecipe(writeRecipe(GOOD)))).steps.map((step) => (step as { repair?: boolean }).repair)).toEqual([true, true]);
    const { path, issues } = await issuesOf(GOOD.replace('    prompt: "Ask about', '    repair: sometimes\n    prompt: "Ask about'));
    expect(issues[0]).toMatchObject({ file: path, line: 9, column: 13, path: ['steps', 0, 'repair'] });
    expect(issues[0]!.message).toMatch(/expected boolean/);
  });

  it('takes output.compression_level (zstd 1–22) and reports a bad one at its line', async () => {
    const withLevel = (level: string, extra = '') => `${GOOD}output:\n  files: [parquet]\n${extra}  compression_level: ${level}\n`;
    expect((await loadRecipe(writeRecipe(withLevel('1')))).recipe.output.compression_level).toBe(1);
    const { path, issues } = await issuesOf(withLevel('23'));
    expect(issues[0]).toMatchObject({ file: path, line: 20, path: ['output', 'compression_level'] });
    expect(issues[0]!.message).toMatch(/22/);
    expect((await issuesOf(withLevel('2.5'))).issues[0]).toMatchObject({ line: 20, path: ['output', 'compression_level'] });
    const snappy = await issuesOf(withLevel('9', '  compression: snappy\n'));
    expect(snappy.issues[0]).toMatchObject({ line: 21, path: ['output', 'compression_level'] });
    expect(snappy.issues[0]!.message).toMatch(/zstd's level; compression is snappy/);
  });

  it('reports a missing schema', async () => {
    const text = GOOD.replace(/    schema:\n      type: object\n      properties: \{ question: \{ type: string \} \}\n      required: \[question\]\n/, '');
    const { issues } = await issuesOf(text);
    expect(issues.some((issue) => issue.path.join('.') === 'steps.0.schema' && /missing required key/.test(issue.message))).toBe(true);
    const issue = issues.find((item) => item.path.join('.') === 'steps.0.schema')!;
    expect(issue.line).toBe(7);
  });

  it('reports an unknown provider', async () => {
    const { issues } = await issuesOf(GOOD.replace('model: openai/gpt-4o-mini\n    prompt: "Ask', 'model: opneai/gpt-4o-mini\n    prompt: "Ask'));
    expect(issues[0]).toMatchObject({ line: 8, path: ['steps', 0, 'model'], code: 'unknown_provider' });
    expect(issues[0]!.message).toContain('did you mean "openai"');
  });

  it('reports a template variable that no seed or earlier step provides', async () => {
    const { issues } = await issuesOf(GOOD.replace('Answer {{ question }}', 'Answer {{ questoin }}'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 16, path: ['steps', 1, 'prompt'], code: 'unknown_variable' });
    expect(issues[0]!.message).toContain('"questoin"');
    expect(issues[0]!.message).toContain('known: question, topic');
  });

  it('does not let a step read a field that only a later step provides', async () => {
    const { issues } = await issuesOf(GOOD.replace('Ask about {{ topic }}', 'Ask about {{ topic }} {{ answer }}'));
    expect(issues[0]).toMatchObject({ path: ['steps', 0, 'prompt'], code: 'unknown_variable' });
  });

  it('reports YAML syntax errors with their position', async () => {
    const { issues } = await issuesOf('name: demo\nseeds:\n  - inline: [ { a: 1 }\nsteps: []\n');
    expect(issues[0]!.code).toMatch(/^yaml_/);
    expect(issues[0]!.line).toBeGreaterThanOrEqual(3);
  });

  it('collects several issues in one pass', async () => {
    const { issues } = await issuesOf(GOOD.replace('name: demo', 'name: Demo_Set').replace('model: openai/gpt-4o-mini\n    prompt: "Answer', 'model: nobody/x\n    prompt: "Answer'));
    expect(issues.map((issue) => issue.path.join('.'))).toEqual(expect.arrayContaining(['name', 'steps.1.model']));
  });

  it('rejects a step with no kind, naming the kinds', async () => {
    const { issues } = await issuesOf(GOOD.replace('  - generate: answer', '  - generat: answer'));
    expect(issues[0]).toMatchObject({ path: ['steps', 1], code: 'missing_kind' });
    expect(issues[0]!.message).toContain('did you mean "generate"');
  });

  it('reports a missing recipe file', async () => {
    await expect(loadRecipe(join(tempDir(), 'nope.yaml'))).rejects.toThrow(/cannot read recipe: no such file/);
  });
});

describe('TS recipes', () => {
  it('loads defineRecipe with zod schemas and function prompts; types flow through steps()', async () => {
    const dir = tempDir();
    const root = process.cwd();
    const path = join(dir, 'recipe.ts');
    // As in an ESM project: TS recipes are ES modules.
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(
      path,
      `import { z } from '${join(root, 'node_modules/zod/index.js')}';
import { defineRecipe, steps } from '${join(root, 'src/index.ts')}';
export default defineRecipe({
  name: 'ts-demo',
  seeds: [{ inline: [{ topic: 'tea' }] }],
  steps: steps<{ topic: string }>()
    .generate('question', { model: 'openai/gpt-4o-mini', prompt: (r) => 'Ask about ' + r.topic.toUpperCase(), schema: z.object({ question: z.string() }) })
    .generate('answer', { model: 'openai/gpt-4o-mini', prompt: (r) => 'Answer ' + r.question, schema: z.object({ answer: z.string() }) }),
});
`,
    );
    const loaded = await loadRecipe(path);
    expect(loaded.recipe.source.kind).toBe('ts');
    expect(loaded.recipe.steps.map((step) => step.name)).toEqual(['question', 'answer']);
    const compiled = await compileRecipe(loaded);
    const first = compiled.steps[0]!;
    if (first.kind !== 'generate') throw new Error('expected generate');
    expect(first.prompt!.render({ topic: 'tea' })).toBe('Ask about TEA');
    expect(first.output.source).toBe('zod');
  });

  it('names the file and key path of a bad TS recipe', async () => {
    const dir = tempDir();
    const path = join(dir, 'bad.mjs');
    writeFileSync(path, `export default { name: 'x', seeds: [{ inline: [{ a: 1 }] }], steps: [{ generate: 'q', model: 'openai/m', prompt: 'hi', schema: { type: 'object', properties: { q: { type: 'string' } } }, tempreature: 1 }] };\n`);
    try {
      await loadRecipe(path);
      throw new Error('expected rejection');
    } catch (error) {
      expect(error).toBeInstanceOf(RecipeError);
      const issue = (error as RecipeError).issues[0]!;
      expect(issue).toMatchObject({ file: path, path: ['steps', 0, 'tempreature'], code: 'unknown_key' });
      expect(issue.line).toBeUndefined();
    }
  });
});

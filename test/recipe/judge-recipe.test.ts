/** A judge step's mistakes are reported at their own line and column, all in one pass. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileRecipe } from '../../src/api/plan-run.js';
import { DEFAULT_CAPABILITIES } from '../../src/api/providers.js';
import type { ProviderId } from '../../src/domain.js';
import { defineRecipe, steps } from '../../src/recipe/define-recipe.js';
import { loadRecipe, loadRecipeObject } from '../../src/recipe/load-recipe.js';
import { RecipeError, type RecipeIssue } from '../../src/recipe/recipe-error.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

const JUDGE = `name: judged
seeds:
  - inline:
      - { question: "2+2?", answer: "4" }
steps:
  - judge: quality
    model: openai/gpt-4o-mini
    target: "{{ question }} {{ answer }}"
    rubric:
      correctness: { scale: [1, 5], description: "Is the answer right?", weight: 2 }
      clarity: { scale: [1, 5], description: "Is it easy to follow? {{ not a variable }}" }
    keep_if: { correctness: ">= 4", total: 3.5 }
`;

function compileText(text: string) {
  const path = join(tempDir(), 'recipe.yaml');
  writeFileSync(path, text);
  return { path, compiled: loadRecipe(path).then((loaded) => compileRecipe(loaded)) };
}

async function issuesOf(text: string): Promise<{ path: string; issues: RecipeIssue[] }> {
  const { path, compiled } = compileText(text);
  try {
    await compiled;
  } catch (error) {
    if (error instanceof RecipeError) return { path, issues: error.issues };
    throw error;
  }
  throw new Error('expected the recipe to be rejected');
}

describe('judge recipes', () => {
  it('compiles a rubric judge into a generate step whose schema is the rubric and whose field is the step name', async () => {
    const { compiled } = compileText(JUDGE);
    const step = (await compiled).steps[0]!;
    if (step.kind !== 'generate') throw new Error(step.kind);
    expect(step.addsFields).toEqual(['quality']);
    expect(step.judge?.step.keep_if).toEqual({ correctness: '>= 4', total: 3.5 });
    const criterion = (step.output.jsonSchema as any).properties.quality.properties.correctness;
    expect(criterion.properties.score).toEqual({ type: 'integer', minimum: 1, maximum: 5 });
    // A brace in a description is text for the judge, not template syntax.
    const prompt = step.prompt!.render({ question: '2+2?', answer: '4' });
    expect(prompt).toContain('clarity (1 to 5): Is it easy to follow? {{ not a variable }}');
    expect(prompt).toContain('2+2? 4');
  });

  it('reports an unknown criterion in keep_if at its key, with a suggestion', async () => {
    const { path, issues } = await issuesOf(JUDGE.replace('keep_if: { correctness:', 'keep_if: { corectness:'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: path, line: 12, column: 28, path: ['steps', 0, 'keep_if', 'corectness'] });
    expect(issues[0]!.message).toContain('did you mean "correctness"');
  });

  it('reports bad scales, weights and threshold syntax each at its value, in one pass', async () => {
    const text = JUDGE.replace('scale: [1, 5], description: "Is the answer right?", weight: 2', 'scale: [5, 1], description: "Is the answer right?", weight: 0')
      .replace('scale: [1, 5], description: "Is it easy', 'scale: [1.5, 5], description: "Is it easy')
      .replace('total: 3.5', 'total: "at least 3"');
    const { path, issues } = await issuesOf(text);
    const at = (key: (string | number)[]) => issues.find((issue) => JSON.stringify(issue.path) === JSON.stringify(['steps', 0, ...key]));
    expect(at(['rubric', 'correctness', 'scale'])).toMatchObject({ file: path, line: 10, message: expect.stringContaining('min < max') });
    expect(at(['rubric', 'correctness', 'weight'])).toMatchObject({ line: 10, message: expect.stringContaining('> 0') });
    expect(at(['rubric', 'clarity', 'scale', 0])).toMatchObject({ line: 11 });
    expect(at(['keep_if', 'total'])).toMatchObject({ line: 12, message: expect.stringContaining('">= 4"') });
  });

  it('reports a field the target needs at the target, not at a prompt the user never wrote', async () => {
    const { issues } = await issuesOf(JUDGE.replace('{{ answer }}"', '{{ reply }}"'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 8, code: 'unknown_variable', path: ['steps', 0, 'target'] });
  });

  it('asks a pairwise judge for both answers and refuses a rubric on it', async () => {
    const text = JUDGE.replace('target:', 'mode: pairwise\n    a: "{{ answer }}"\n    target:');
    const { issues } = await issuesOf(text);
    expect(issues.map((issue) => issue.path.slice(2).join('.')).sort()).toEqual(['b', 'keep_if', 'rubric']);
  });

  it('takes function templates in a TS recipe: the pairwise prompt renders them in both orders', async () => {
    const recipe = {
      name: 'judged',
      seeds: [{ inline: [{ question: 'q?', one: 'first answer {', two: 'second answer' }] }],
      steps: [{ judge: 'pick', model: 'openai/gpt-4o-mini', mode: 'pairwise', target: (r: Record<string, unknown>) => `Task: ${String(r.question)}`, a: (r: Record<string, unknown>) => String(r.one), b: '{{ two }}' }],
    };
    const step = (await compileRecipe(loadRecipeObject(recipe, tempDir()))).steps[0]!;
    if (step.kind !== 'generate') throw new Error(step.kind);
    const fields = recipe.seeds[0]!.inline[0]!;
    const aFirst = step.prompt!.render(fields);
    const bFirst = step.judge!.swappedPrompt!.render(fields);
    expect(aFirst).toContain('Task: q?');
    expect(aFirst.indexOf('first answer {')).toBeLessThan(aFirst.indexOf('second answer'));
    expect(bFirst.indexOf('second answer')).toBeLessThan(bFirst.indexOf('first answer {'));
    expect(step.addsFields).toEqual(['pick', 'chosen', 'rejected']);
  });

  it('writes a schema every provider takes, in each of its structured-output modes', async () => {
    for (const model of ['openai/gpt-4o-mini', 'anthropic/claude-haiku-4-5', 'gemini/gemini-2.5-flash']) {
      for (const structured_output of DEFAULT_CAPABILITIES.capabilities(model.split('/')[0] as ProviderId).outputModes.supported) {
        const steps = [
          { judge: 'quality', model, structured_output, target: '{{ answer }}', rubric: { correctness: { scale: [1, 5], description: 'right?' } }, keep_if: { total: 3 } },
          { judge: 'pick', model, structured_output, mode: 'pairwise', a: '{{ answer }}', b: '{{ question }}' },
        ];
        const compiled = await compileRecipe(loadRecipeObject({ name: 'judged', seeds: [{ inline: [{ question: 'q', answer: 'a' }] }], steps }, tempDir()));
        expect(compiled.steps.map((step) => step.kind)).toEqual(['generate', 'generate']);
      }
    }
  });

  it('is a step of the typed TS chain: steps().judge(name, options)', async () => {
    const recipe = defineRecipe({
      name: 'judged',
      seeds: [{ inline: [{ question: 'q', answer: 'a' }] }],
      steps: steps<{ question: string; answer: string }>()
        .judge('quality', { model: 'openai/gpt-4o-mini', target: (record) => record.answer, rubric: { correctness: { scale: [1, 3], description: 'right?' } }, keep_if: { correctness: '>= 2' } })
        .filter({ field: 'quality.total', gte: 1 }),
    });
    const compiled = await compileRecipe(loadRecipeObject(recipe, tempDir()));
    expect(compiled.steps.map((step) => step.step.name)).toEqual(['quality', 'filter-1']);
  });
});

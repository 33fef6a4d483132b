/** `validate` shows schema and compile issues together, so a recipe is fixed in one pass. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRun } from '../../src/api/plan-run.js';
import { RecipeError } from '../../src/recipe/recipe-error.js';
import { runCli } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

/** Misspelt top-level key (line 2), bad max_tokens (8), unknown template variable (13), unknown model (16). */
const FOUR_PROBLEMS = [
  'name: one-pass',
  'descripton: teas',
  'seeds:',
  '  - inline: [{ topic: tea }]',
  'steps:',
  '  - generate: question',
  '    model: openai/gpt-4o-mini',
  '    max_tokens: -5',
  '    prompt: "Ask about {{ topic }}"',
  '    schema: { type: object, properties: { question: { type: string } } }',
  '  - generate: answer',
  '    model: openai/gpt-4o-mini',
  '    prompt: "Answer {{ questoin }}"',
  '    schema: { type: object, properties: { answer: { type: string } } }',
  '  - generate: rating',
  '    model: openai/gpt-4o-mni',
  '    prompt: "Rate {{ question }} / {{ answer }}"',
  '    schema: { type: object, properties: { score: { type: integer } } }',
  '',
].join('\n');

describe('validate in one pass', () => {
  it('prints schema issues and the compile issues of the steps that parsed, sorted by line, and exits 2', async () => {
    const dir = tempDir();
    const file = join(dir, 'r.yaml');
    writeFileSync(file, FOUR_PROBLEMS);
    const result = await runCli(['validate', 'r.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    const expected = [
      `${file}:2:1  descripton  unknown key "descripton" (did you mean "description"?)`,
      `${file}:8:17  steps[0].max_tokens  `,
      `${file}:13:13  steps[1].prompt  "questoin" is not a field here`,
      `${file}:16:12  steps[2].model  unknown openai model "gpt-4o-mni"`,
    ];
    const positions = expected.map((line) => result.stderr.indexOf(line));
    expect(positions.every((position) => position >= 0), result.stderr).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(result.stderr).toContain('4 error(s) in recipe');
  });

  it('does not report fields that only a step which failed its schema would provide', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'r.yaml'),
      [
        'name: failed-steps',
        'seeds:',
        '  - inline: [{ topic: tea }]',
        'steps:',
        '  - generat: question', // no kind: what it adds cannot be known
        '    model: openai/gpt-4o-mini',
        '    prompt: "Ask about {{ topic }}"',
        '    schema: { type: object, properties: { question: { type: string } } }',
        '  - generate: answer', // a bad temperature, but its schema says it adds `answer`
        '    model: openai/gpt-4o-mini',
        '    temperature: 5',
        '    prompt: "Answer {{ question }}"',
        '    schema: { type: object, properties: { answer: { type: string } } }',
        '  - filter: { field: question, min_chars: 1 }',
        '  - generate: rating',
        '    model: openai/gpt-4o-mni',
        '    prompt: "Rate {{ question }} / {{ answer }}"',
        '    schema: { type: object, properties: { score: { type: integer } } }',
        '',
      ].join('\n'),
    );
    const result = await runCli(['validate', 'r.yaml', '--json'], { cwd: dir });
    expect(result.code).toBe(2);
    const issues = (JSON.parse(result.stdout) as { error: { issues: { code: string; path: (string | number)[]; line: number }[] } }).error.issues;
    expect(issues.map(({ code, path, line }) => ({ code, path, line }))).toEqual([
      { code: 'missing_kind', path: ['steps', 0], line: 5 },
      { code: 'too_big', path: ['steps', 1, 'temperature'], line: 11 },
      { code: 'unknown_model', path: ['steps', 3, 'model'], line: 16 },
    ]);
  });

  it('plan throws the same RecipeError, every issue included', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'r.yaml'), FOUR_PROBLEMS);
    const error = await planRun('r.yaml', undefined, { cwd: dir }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RecipeError);
    expect((error as RecipeError).issues.map((issue) => [issue.line, issue.path.join('.')])).toEqual([
      [2, 'descripton'],
      [8, 'steps.0.max_tokens'],
      [13, 'steps.1.prompt'],
      [16, 'steps.2.model'],
    ]);
  });
});

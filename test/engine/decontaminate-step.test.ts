import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/api/run-recipe.js';
import { loadRecipe } from '../../src/recipe/load-recipe.js';
import { RecipeError } from '../../src/recipe/recipe-error.js';
import { compileRecipe } from '../../src/engine/compile-recipe.js';
import { DEFAULT_CAPABILITIES } from '../../src/api/providers.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

const LEAKED = 'If a shirt costs twelve dollars after a quarter off the original price was the price before the discount was applied';
const CLEAN = 'Describe three ways a small bakery could reduce food waste at the end of each day without losing any of its regular customers';

function writeEvalSet(dir: string): void {
  mkdirSync(join(dir, 'evals'), { recursive: true });
  writeFileSync(join(dir, 'evals', 'math.jsonl'), `${JSON.stringify({ id: 'm1', problem: 'Unrelated item about the speed of sound in warm air over a quiet lake at dawn' })}\n${JSON.stringify({ id: 'm2', problem: LEAKED, solution: '16' })}\n`);
}

function recipe(against: string): string {
  return `name: decon
seeds:
  - inline:
      - { q: "${CLEAN}" }
      - { q: "Please solve: ${LEAKED}" }
      - { other: "no q here" }
steps:
  - decontaminate: no-leaks
    against: [${against}]
    fields: [q]
    eval_fields: [problem]
max_error_rate: 0.5
output:
  format: raw
`;
}

const rows = (path: string) => readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

describe('decontaminate step in a run', () => {
  it('removes the record that contains an evaluation item, reporting the item and the matched 13-gram in rejects.jsonl', async () => {
    const dir = tempDir();
    writeEvalSet(dir);
    writeFileSync(join(dir, 'r.yaml'), recipe('evals/math.jsonl'));
    const summary = await runRecipe('r.yaml', { cwd: dir, env: {} });
    expect(summary.steps[0]!.counts).toMatchObject({ input: 3, output: 1, contaminated: 1, rejected: { count: 1 } });
    const version = join(dir, 'outputs', 'decon', 'v1');
    expect(rows(join(version, 'data', 'train-00000-of-00001.jsonl')).map((row) => row.q)).toEqual([CLEAN]);
    const rejects = rows(join(version, 'rejects.jsonl'));
    const contaminated = rejects.find((reject) => reject.kind === 'contaminated');
    expect(contaminated).toMatchObject({
      id: 's0-000001',
      step: 'no-leaks',
      match: { eval_item: 'evals/math.jsonl:2', ngram: 'if a shirt costs twelve dollars after a quarter off the original price' },
    });
    expect(contaminated!.reason).toBe('contaminated: shares "if a shirt costs twelve dollars after a quarter off the original price" with evals/math.jsonl:2');
    expect(rejects.find((reject) => reject.kind === 'error')).toMatchObject({ id: 's0-000002', reason: 'missing field "q" the decontaminate step compares' });
  });

  it('reports a missing evaluation set at the recipe line and column of its path', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'r.yaml'), recipe('evals/missing.jsonl'));
    const loaded = await loadRecipe(join(dir, 'r.yaml'));
    const error = await compileRecipe(loaded, DEFAULT_CAPABILITIES).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RecipeError);
    const issue = (error as RecipeError).issues.find((found) => found.code === 'decontam_source_invalid');
    expect(issue).toMatchObject({ line: 9, column: 15, path: ['steps', 0, 'against', 0] });
    expect(issue!.message).toContain(`${join(dir, 'evals', 'missing.jsonl')}: evaluation set not found`);
    expect((error as Error).message).toContain(`${join(dir, 'r.yaml')}:9:15`);
  });
});

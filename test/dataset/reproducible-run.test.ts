/**
 * The reproducibility promise end to end: a second run of the same recipe, answered entirely from
 * the response cache, produces byte-identical data files, so no second version is added.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/api/run-recipe.js';
import { defineRecipe } from '../../src/recipe/define-recipe.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const FAST = { validatingMs: 5, inProgressMs: 10, finalizingMs: 5 };

const recipe = defineRecipe({
  name: 'repro',
  seeds: [{ inline: Array.from({ length: 12 }, (_, index) => ({ topic: `topic ${index}` })) }],
  steps: [
    {
      generate: 'qa',
      model: 'openai/gpt-4o-mini',
      prompt: 'Write a question and answer about {{ topic }}.',
      schema: { type: 'object', properties: { question: { type: 'string' }, answer: { type: 'string' } }, required: ['question', 'answer'] },
    },
  ],
  output: {
    format: 'openai-chat',
    messages: [
      { role: 'user', content: '{{ question }}' },
      { role: 'assistant', content: '{{ answer }}' },
    ],
    splits: { train: 0.75, test: 0.25 },
    files: ['jsonl', 'parquet'],
  },
});

describe('re-running a cached recipe', () => {
  it('writes the same bytes and reuses the existing version', async () => {
    const cwd = tempDir();
    const options = { cwd, offline: true, env: {}, emulator: { faults: { timing: FAST } }, pollIntervalMs: { initial: 5, max: 20 } };
    const first = await runRecipe(recipe, options);
    expect(first.status).toBe('completed');
    expect(first.output?.version).toBe('v1');
    const dataDir = join(cwd, 'outputs', 'repro', 'v1', 'data');
    const before = new Map(readdirSync(dataDir).map((name) => [name, readFileSync(join(dataDir, name))]));

    const second = await runRecipe(recipe, { ...options, fresh: true });
    expect(second.status).toBe('completed');
    expect(second.samples.cached).toBe(12);
    expect(second.output).toMatchObject({ version: 'v1', contentHash: first.output!.contentHash });
    expect(readdirSync(join(cwd, 'outputs', 'repro'))).toEqual(['v1']);
    for (const [name, bytes] of before) expect(readFileSync(join(dataDir, name)).equals(bytes)).toBe(true);
  });
});

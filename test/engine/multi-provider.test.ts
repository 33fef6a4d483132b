import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRun } from '../../src/api/plan-run.js';
import { runRecipe } from '../../src/api/run-recipe.js';
import { loadRecipeObject } from '../../src/recipe/load-recipe.js';
import { RunStore } from '../../src/store/run-store.js';
import { compileOutputSchema } from '../../src/schema/output-schema.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { FAST_TIMING, useEmulators } from '../helpers/emulators.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

const QUESTION = { type: 'object', properties: { question: { type: 'string' } }, required: ['question'] };
const ANSWER = { type: 'object', properties: { answer: { type: 'string' }, sources: { type: 'array', items: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] } } }, required: ['answer'] };
const VERDICT = { type: 'object', properties: { score: { type: 'integer', minimum: 1, maximum: 5 }, verdict: { type: 'string', enum: ['keep', 'drop'] } }, required: ['score', 'verdict'] };

function threeProviderRecipe() {
  return {
    name: 'three-providers',
    seeds: [{ product: { topic: ['tea', 'coffee', 'cocoa'], audience: ['child', 'chemist'] } }],
    steps: [
      { generate: 'question', model: 'openai/gpt-4o-mini', prompt: 'Ask a {{ audience }} question about {{ topic }}.', schema: QUESTION },
      { generate: 'answer', model: 'anthropic/claude-haiku-4-5', max_tokens: 512, prompt: 'Answer: {{ question }}', schema: ANSWER },
      { generate: 'judge', model: 'openai-compatible/llama-3.1-8b-instruct', base_url: 'http://localhost:8000/v1', prompt: 'Grade this answer to "{{ question }}": {{ answer }}', schema: VERDICT },
    ],
  };
}

describe('one recipe, three providers', () => {
  it('chains OpenAI → Anthropic → an OpenAI-compatible server offline, each step conforming to its schema', async () => {
    const dir = tempDir();
    const summary = await runRecipe(threeProviderRecipe(), { cwd: dir, offline: true, env: {}, emulator: { faults: { timing: FAST_TIMING } }, pollIntervalMs: { initial: 5, max: 20 } });
    expect(summary.status).toBe('completed');
    expect(summary.steps.map((step) => [step.name, step.provider, step.outputMode])).toEqual([
      ['question', 'openai', 'native'],
      ['answer', 'anthropic', 'native'],
      ['judge', 'openai-compatible', 'native'],
    ]);
    expect(summary.steps.map((step) => step.counts.succeeded)).toEqual([6, 6, 6]);
    const rows = readFileSync(join(dir, 'outputs', 'three-providers', 'v1', 'data', 'train-00000-of-00001.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(rows).toHaveLength(6);
    for (const [schema, name] of [[QUESTION, 'q'], [ANSWER, 'a'], [VERDICT, 'v']] as const) {
      const compiled = compileOutputSchema(name, schema);
      for (const row of rows) {
        const picked = Object.fromEntries(Object.keys(schema.properties).filter((key) => key in row).map((key) => [key, row[key]]));
        expect(compiled.validate(picked).ok).toBe(true);
      }
    }
    // The judge ran through synchronous completions, not a batch: no provider batch id for it.
    const store = new RunStore(join(dir, '.synthforge'));
    const shards = store.shardsOfRun(summary.runId);
    store.close();
    expect(shards.map((shard) => shard.provider)).toEqual(['openai', 'anthropic', 'openai-compatible']);
    expect(shards[2]!.batchId).toMatch(/^local-/);
  });

  it('uses a forced tool on Anthropic and the prompt-only fallback on a server without structured output', async () => {
    const dir = tempDir();
    const recipe = threeProviderRecipe();
    Object.assign(recipe.steps[1]!, { structured_output: 'tool' });
    Object.assign(recipe.steps[2]!, { structured_output: 'prompt' });
    const plan = await planRun(loadRecipeObject(recipe, dir));
    expect(plan.steps.map((step) => step.outputMode)).toEqual(['native', 'tool', 'prompt']);
    const summary = await runRecipe(recipe, { cwd: dir, offline: true, env: {}, emulator: { faults: { timing: FAST_TIMING } }, pollIntervalMs: { initial: 5, max: 20 } });
    expect(summary.steps.map((step) => step.outputMode)).toEqual(['native', 'tool', 'prompt']);
    expect(summary.samples).toMatchObject({ requested: 18, valid: 18 });
  });

  it('runs a Gemini generate step and Gemini batch embeddings offline', async () => {
    const dir = tempDir();
    const summary = await runRecipe(
      {
        name: 'gemini-chain',
        seeds: [{ product: { topic: ['tea', 'coffee'], audience: ['child', 'chemist'] } }],
        steps: [
          { generate: 'question', model: 'gemini/gemini-2.5-flash', prompt: 'Ask a {{ audience }} question about {{ topic }}.', schema: QUESTION },
          { embed: 'question_vector', model: 'gemini/gemini-embedding-001', input: 'question', dimensions: 32 },
        ],
      },
      { cwd: dir, offline: true, env: {}, emulator: { faults: { timing: FAST_TIMING } }, pollIntervalMs: { initial: 5, max: 20 } },
    );
    expect(summary.status).toBe('completed');
    expect(summary.steps.map((step) => [step.kind, step.provider, step.counts.succeeded])).toEqual([
      ['generate', 'gemini', 4],
      ['embed', 'gemini', 4],
    ]);
    const rows = readFileSync(join(dir, 'outputs', 'gemini-chain', 'v1', 'data', 'train-00000-of-00001.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    for (const row of rows) {
      expect(typeof row.question).toBe('string');
      expect(row.question_vector).toHaveLength(32);
    }
  });

  it('splits a step into shards within max_requests_per_batch, sending each request exactly once', async () => {
    const emulator = await emulators.start({ faults: { timing: FAST_TIMING } });
    const dir = tempDir();
    const records = Array.from({ length: 25 }, (_, index) => ({ topic: `subject ${index}` }));
    const summary = await runRecipe(
      {
        name: 'sharded',
        seeds: [{ inline: records }],
        steps: [{ generate: 'question', model: 'openai/gpt-4o-mini', n: 2, max_requests_per_batch: 7, prompt: 'Ask about {{ topic }}', schema: QUESTION }],
      },
      { cwd: dir, env: { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: emulator.openaiBaseURL }, pollIntervalMs: { initial: 5, max: 20 }, maxConcurrentShards: 3 },
    );
    const store = new RunStore(join(dir, '.synthforge'));
    const shards = store.shardsOfRun(summary.runId);
    store.close();
    expect(shards.map((shard) => shard.requestCount)).toEqual([7, 7, 7, 7, 7, 7, 7, 1]);
    expect(emulator.stats().batchesCreated.openai).toBe(8);
    expect(emulator.stats().requestsReceived.openai).toBe(50);
    expect(emulator.stats().seenCustomIds).toBe(50);
    expect(summary.samples.valid).toBe(50);
  });
});

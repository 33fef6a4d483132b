/** Compiling reads what differs between providers from their capabilities, never from provider names. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPABILITIES } from '../../src/api/providers.js';
import { compileRecipe, type CapabilityLookup } from '../../src/engine/compile-recipe.js';
import { OPENAI_CAPABILITIES } from '../../src/providers/openai/openai-capabilities.js';
import { loadRecipeObject } from '../../src/recipe/load-recipe.js';
import { RecipeError } from '../../src/recipe/recipe-error.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const QUESTION = { type: 'object', properties: { question: { type: 'string' } }, required: ['question'] };

function recipeWith(step: Record<string, unknown>): Record<string, unknown> {
  return { name: 'compile-test', seeds: [{ product: { topic: ['tea', 'coffee'] } }], steps: [step], output: { format: 'raw' } };
}

async function issuesOf(step: Record<string, unknown>, providers: CapabilityLookup = DEFAULT_CAPABILITIES, env: Record<string, string> = {}): Promise<{ code: string; path: (string | number)[] }[]> {
  try {
    await compileRecipe(loadRecipeObject(recipeWith(step), tempDir()), providers, { env });
    return [];
  } catch (error) {
    if (!(error instanceof RecipeError)) throw error;
    return error.issues.map((issue) => ({ code: issue.code, path: issue.path }));
  }
}

describe('compileRecipe and provider capabilities', () => {
  it('asks an openai-compatible step for a base URL: the step, or the variable its capabilities name', async () => {
    const step = { generate: 'q', model: 'openai-compatible/llama3', prompt: 'About {{ topic }}', schema: QUESTION };
    expect(await issuesOf(step)).toEqual([{ code: 'missing_base_url', path: ['steps', 0, 'model'] }]);
    expect(await issuesOf(step, DEFAULT_CAPABILITIES, { OPENAI_COMPATIBLE_BASE_URL: 'http://127.0.0.1:8000/v1' })).toEqual([]);
    expect(await issuesOf({ ...step, base_url: 'http://127.0.0.1:8000/v1' })).toEqual([]);
  });

  it('refuses an embed step on a provider without batch embeddings', async () => {
    expect(await issuesOf({ embed: 'vector', model: 'anthropic/claude-sonnet-4-5', input: 'topic' })).toEqual([{ code: 'embeddings_unsupported', path: ['steps', 0, 'model'] }]);
    expect(await issuesOf({ embed: 'vector', model: 'gemini/gemini-embedding-001', input: 'topic' })).toEqual([]);
  });

  it('refuses a structured-output mode the provider does not support', async () => {
    const step = { generate: 'q', model: 'openai/gpt-4o-mini', prompt: 'About {{ topic }}', schema: QUESTION, structured_output: 'tool' };
    expect(await issuesOf(step)).toEqual([{ code: 'unsupported_output_mode', path: ['steps', 0, 'structured_output'] }]);
    expect(await issuesOf({ ...step, model: 'anthropic/claude-sonnet-4-5' })).toEqual([]);
  });

  it("rewrites every provider's schema at compile time: a recursive schema Gemini cannot take fails before the run", async () => {
    const node = { type: 'object', properties: { label: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } }, required: ['label'] };
    const tree = { type: 'object', $defs: { node }, properties: { root: { $ref: '#/$defs/node' } }, required: ['root'] };
    const step = { generate: 'tree', model: 'gemini/gemini-2.5-flash', prompt: 'About {{ topic }}', schema: tree };
    expect(await issuesOf(step)).toEqual([{ code: 'schema_invalid', path: ['steps', 0, 'schema'] }]);
    // The prompt form sends no schema to the provider, so it takes any schema; OpenAI strict mode takes recursion.
    expect(await issuesOf({ ...step, structured_output: 'prompt' })).toEqual([]);
    expect(await issuesOf({ ...step, model: 'openai/gpt-4o-mini' })).toEqual([]);
  });

  it('takes what a step compiles to from the capabilities it is handed, not from the provider name', async () => {
    const promptOnly: CapabilityLookup = { capabilities: () => ({ ...OPENAI_CAPABILITIES, outputModes: { default: 'prompt', supported: ['prompt'] } }) };
    const loaded = loadRecipeObject(recipeWith({ generate: 'q', model: 'openai/gpt-4o-mini', prompt: 'About {{ topic }}', schema: QUESTION }), tempDir());
    const compiled = await compileRecipe(loaded, promptOnly);
    const [step] = compiled.steps;
    expect(step).toMatchObject({ kind: 'generate', outputMode: 'prompt' });
    expect((await compileRecipe(loaded, DEFAULT_CAPABILITIES)).steps[0]).toMatchObject({ outputMode: 'native' });
  });
});

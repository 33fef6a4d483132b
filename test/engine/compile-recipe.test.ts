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

describe('compileRecipe and the model catalogue', () => {
  const chatStep = (model: string, extra: Record<string, unknown> = {}) => ({ generate: 'q', model, prompt: 'About {{ topic }}', schema: QUESTION, ...extra });

  async function findings(step: Record<string, unknown>): Promise<{ code: string; severity: string; message: string }[]> {
    try {
      const compiled = await compileRecipe(loadRecipeObject(recipeWith(step), tempDir()), DEFAULT_CAPABILITIES, { env: {} });
      return compiled.warnings.map(({ code, severity, message }) => ({ code, severity, message }));
    } catch (error) {
      if (!(error instanceof RecipeError)) throw error;
      return error.issues.map(({ code, severity, message }) => ({ code, severity, message }));
    }
  }

  it('refuses a model no catalogue row names, with a did-you-mean, at steps[i].model', async () => {
    expect(await issuesOf(chatStep('openai/gpt-4o-mni'))).toEqual([{ code: 'unknown_model', path: ['steps', 0, 'model'] }]);
    const [finding] = await findings(chatStep('openai/gpt-4o-mni'));
    expect(finding).toMatchObject({ severity: 'error' });
    expect(finding!.message).toContain('unknown openai model "gpt-4o-mni" (did you mean gpt-4o-mini?)');
    expect(finding!.message).toContain('model_check: warn');
    expect((await findings(chatStep('anthropic/claude-haiku-45')))[0]!.message).toContain('did you mean claude-haiku-4-5?');
    expect((await findings(chatStep('gemini/gemini-2.5-flsh')))[0]!.message).toContain('did you mean gemini-2.5-flash?');
  });

  it('names the provider a model belongs to, and lists the catalogue when nothing is close', async () => {
    expect((await findings(chatStep('openai/claude-haiku-4-5')))[0]!.message).toContain('(anthropic serves it: did you mean anthropic/claude-haiku-4-5?)');
    const [unlike] = await findings(chatStep('anthropic/totally-different'));
    expect(unlike!.message).toContain('lists chat models claude-opus-4,');
  });

  it('accepts ids, aliases and listed snapshots silently; warns for an unlisted snapshot of a listed model', async () => {
    for (const model of ['openai/gpt-4o-mini', 'openai/gpt-4o-mini-2024-07-18', 'anthropic/claude-3-5-haiku-latest', 'gemini/models/gemini-2.5-pro']) {
      expect(await findings(chatStep(model)), model).toEqual([]);
    }
    expect(await findings(chatStep('openai/gpt-4o-mini-2026-01-01'))).toEqual([
      { code: 'model_unlisted_snapshot', severity: 'warning', message: expect.stringContaining('taken as gpt-4o-mini') },
    ]);
  });

  it('turns the error into a warning with model_check: warn, and warns by itself for fine-tuned models', async () => {
    expect(await findings(chatStep('openai/gpt-7', { model_check: 'warn' }))).toEqual([
      { code: 'unknown_model', severity: 'warning', message: expect.stringContaining('sent as written (model_check: warn)') },
    ]);
    expect(await findings(chatStep('openai/ft:gpt-4o-mini-2024-07-18:acme::abc123'))).toEqual([
      { code: 'model_custom', severity: 'warning', message: expect.stringContaining('a model of your own account') },
    ]);
  });

  it('checks nothing for a server the user runs: it serves whatever it was started with', async () => {
    expect(await findings(chatStep('openai-compatible/anything-at-all', { base_url: 'http://127.0.0.1:8000/v1' }))).toEqual([]);
  });

  it('refuses a chat model in an embed step and an embedding model in a generate step', async () => {
    expect(await issuesOf({ embed: 'vector', model: 'openai/gpt-4o-mini', input: 'topic' })).toEqual([{ code: 'model_kind_mismatch', path: ['steps', 0, 'model'] }]);
    expect((await findings({ embed: 'vector', model: 'openai/gpt-4o-mini', input: 'topic' }))[0]!.message).toContain('use one of: text-embedding-3-small, text-embedding-3-large');
    expect(await issuesOf(chatStep('openai/text-embedding-3-small'))).toEqual([{ code: 'model_kind_mismatch', path: ['steps', 0, 'model'] }]);
  });

  it('warns about a model its provider lists as deprecated', async () => {
    expect(await findings(chatStep('openai/gpt-5-nano'))).toEqual([{ code: 'model_deprecated', severity: 'warning', message: expect.stringContaining('deprecated') }]);
  });
});


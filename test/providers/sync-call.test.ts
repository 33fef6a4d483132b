import { describe, expect, it } from 'vitest';
import type { BatchProvider } from '../../src/providers/batch-provider.js';
import { createProviderCatalog } from '../../src/providers/registry.js';
import { compileOutputSchema } from '../../src/schema/output-schema.js';
import { makeRequests, QA_SCHEMA } from '../helpers/shard-file.js';
import { useEmulators } from '../helpers/emulators.js';

const emulators = useEmulators();

async function offlineProvider(provider: 'openai' | 'anthropic' | 'gemini' | 'openai-compatible', model: string): Promise<BatchProvider> {
  const emulator = emulators.current;
  const catalog = createProviderCatalog({
    env: {},
    offline: { openaiBaseURL: emulator.openaiBaseURL, openaiCompatibleBaseURL: emulator.openaiCompatibleBaseURL, anthropicBaseURL: emulator.anthropicBaseURL, geminiBaseURL: emulator.geminiBaseURL },
  });
  return catalog.open({ provider, model });
}

describe('callSync: one batch line through the synchronous API, judged like a batch result', () => {
  it.each([
    ['openai', 'gpt-4o-mini'],
    ['anthropic', 'claude-haiku-4-5'],
    ['gemini', 'gemini-2.5-flash'],
    ['openai-compatible', 'llama-3.1-8b-instruct'],
  ] as const)('%s answers a chat request with schema-valid JSON and its usage', async (id, model) => {
    const emulator = await emulators.start();
    const provider = await offlineProvider(id, model);
    const [request] = makeRequests(1, model);
    const line = provider.capabilities.encodeRequest(request!);
    const result = await provider.callSync!(line, { model });
    if (result.outcome !== 'succeeded') throw new Error(JSON.stringify(result));
    expect(result.customId).toBe('req-0000');
    expect(compileOutputSchema('qa', QA_SCHEMA).validate(JSON.parse(result.text)).ok).toBe(true);
    expect(result.usage?.outputTokens).toBeGreaterThan(0);
    expect(emulator.stats().chatCompletions).toBe(1);
    expect(emulator.stats().batchesCreated).toEqual({ openai: 0, anthropic: 0, gemini: 0 });
  });

  it.each([
    ['openai', 'text-embedding-3-small'],
    ['gemini', 'gemini-embedding-001'],
  ] as const)('%s answers an embedding request with a vector', async (id, model) => {
    await emulators.start();
    const provider = await offlineProvider(id, model);
    const line = provider.capabilities.encodeRequest({ customId: 'e-1', model, messages: [], params: {}, embedding: { input: 'a kettle that whistles', dimensions: 8 } });
    const result = await provider.callSync!(line, { model });
    if (result.outcome !== 'succeeded') throw new Error(JSON.stringify(result));
    expect(result.vector).toHaveLength(8);
  });

  it('retries 429/500 replies and returns the answer', async () => {
    const emulator = await emulators.start({ faults: { seed: 4, syncErrorRate: 1 } });
    emulator.configure({ syncErrorRate: 0.5 });
    const provider = await offlineProvider('anthropic', 'claude-haiku-4-5');
    for (const request of makeRequests(4, 'claude-haiku-4-5')) {
      const result = await provider.callSync!(provider.capabilities.encodeRequest(request), { model: request.model });
      expect(result.outcome).toBe('succeeded');
    }
    // The retries were exercised: the emulator refused some of the calls first.
    expect(emulator.stats().faultsInjected.syncErrors).toBeGreaterThan(0);
  });

  it('a refused key throws ProviderAuthError instead of returning a failed line', async () => {
    await emulators.start({ faults: { authError: 401 } });
    const provider = await offlineProvider('openai', 'gpt-4o-mini');
    const [request] = makeRequests(1);
    await expect(provider.callSync!(provider.capabilities.encodeRequest(request!), { model: 'gpt-4o-mini' })).rejects.toMatchObject({ code: 'provider_auth' });
  });
});

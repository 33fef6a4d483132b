/**
 * A refused key (401) or a key without permission (403) is recognisable everywhere: a call answered so
 * throws a ProviderAuthError naming the provider and the environment variable to check, never
 * retryable; a result line failed so carries PROVIDER_AUTH_CODE for the engine to stop on.
 */
import { describe, expect, it } from 'vitest';
import type { EmulatorServer, FaultOptions } from '../../src/emulator/emulator.js';
import { EXIT_CODES } from '../../src/errors.js';
import type { BatchItemResult } from '../../src/providers/batch-provider.js';
import { PROVIDER_AUTH_CODE, ProviderAuthError } from '../../src/providers/errors.js';
import { createProviderCatalog } from '../../src/providers/registry.js';
import { makeRequests, pollUntilDone, writeShard } from '../helpers/shard-file.js';
import { FAST_TIMING, useEmulators } from '../helpers/emulators.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

const MODEL = { openai: 'gpt-4o-mini', anthropic: 'claude-haiku-4-5', gemini: 'gemini-2.5-flash' } as const;
// Gemini reads GEMINI_API_KEY or GOOGLE_API_KEY: the message names the one that was used.
const VARIABLE = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY', gemini: 'GOOGLE_API_KEY' } as const;

function catalogFor(emulator: EmulatorServer) {
  return createProviderCatalog({
    env: {
      OPENAI_API_KEY: 'sk-test-openai-key',
      OPENAI_BASE_URL: emulator.openaiBaseURL,
      ANTHROPIC_API_KEY: 'sk-ant-test-key',
      ANTHROPIC_BASE_URL: emulator.anthropicBaseURL,
      GOOGLE_API_KEY: 'AIza-test-key',
      GEMINI_BASE_URL: emulator.geminiBaseURL,
      OPENAI_COMPATIBLE_API_KEY: 'local-test-key',
    },
    maxRetries: 2,
    timeoutMs: 10_000,
  });
}

async function collect(iterable: AsyncIterable<BatchItemResult>): Promise<BatchItemResult[]> {
  const results: BatchItemResult[] = [];
  for await (const result of iterable) results.push(result);
  return results;
}

const start = (faults: Partial<FaultOptions>) => emulators.start({ faults: { timing: FAST_TIMING, ...faults } });

describe('authentication and permission failures', () => {
  for (const provider of ['openai', 'anthropic', 'gemini'] as const) {
    for (const [status, wording] of [[401, 'refused the API key'], [403, 'denied permission']] as const) {
      it(`${provider}: HTTP ${status} on a call is a ProviderAuthError naming ${VARIABLE[provider]}, sent once`, async () => {
        const emulator = await start({ authError: status });
        const adapter = await catalogFor(emulator).open({ provider, model: MODEL[provider] });
        const error = await adapter.submit(writeShard(tempDir(), adapter, makeRequests(2, MODEL[provider]))).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(ProviderAuthError);
        expect(error).toMatchObject({
          code: PROVIDER_AUTH_CODE,
          exitCode: EXIT_CODES.usage,
          message: expect.stringMatching(new RegExp(`^${provider} ${wording} \\(HTTP ${status} on \\w+\\): .*; check the key in ${VARIABLE[provider]}$`)),
          details: { provider, statusCode: status, retryable: false, ambiguous: false, variables: [VARIABLE[provider]] },
        });
        // Not retried by the SDK or by us: one refused call.
        expect(emulator.stats().faultsInjected.authErrors).toBe(1);
      });

      it(`${provider}: result lines failed with ${status} carry ${PROVIDER_AUTH_CODE}, not retryable`, async () => {
        const emulator = await start({ lineErrorRate: 1, lineErrorStatus: status });
        const adapter = await catalogFor(emulator).open({ provider, model: MODEL[provider] });
        const handle = await adapter.submit(writeShard(tempDir(), adapter, makeRequests(3, MODEL[provider])));
        await pollUntilDone(adapter, handle);
        const results = await collect(adapter.results(handle));
        expect(results).toHaveLength(3);
        for (const result of results) {
          expect(result).toMatchObject({ outcome: 'errored', error: { code: PROVIDER_AUTH_CODE, status, retryable: false } });
        }
        const first = results[0] as Extract<BatchItemResult, { outcome: 'errored' }>;
        const stop = ProviderAuthError.fromResultError(provider, first.error, adapter.capabilities.keyVariables);
        expect(stop).toMatchObject({ code: PROVIDER_AUTH_CODE, exitCode: EXIT_CODES.usage, details: { provider, statusCode: status, retryable: false } });
        expect(stop.message).toMatch(new RegExp(`^${provider} refused the requests of a batch: .+; check the key in ${adapter.capabilities.keyVariables.join(' or ')}$`));
      });
    }
  }

  it('openai-compatible: a server refusing the key fails the shard with a ProviderAuthError instead of a line per request', async () => {
    const emulator = await start({ authError: 401 });
    const adapter = await catalogFor(emulator).open({ provider: 'openai-compatible', model: 'llama-3.1-8b-instruct' }, { baseUrl: emulator.openaiCompatibleBaseURL });
    const handle = await adapter.submit(writeShard(tempDir(), adapter, makeRequests(20, 'llama-3.1-8b-instruct')));
    const error = await pollUntilDone(adapter, handle).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect(error).toMatchObject({ code: PROVIDER_AUTH_CODE, message: expect.stringContaining('check the key in OPENAI_COMPATIBLE_API_KEY') });
    // The refusal stopped the shard: not every one of its 20 requests was tried.
    expect(emulator.stats().faultsInjected.authErrors).toBeLessThan(20);
  });
});

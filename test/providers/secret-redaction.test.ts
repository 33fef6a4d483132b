/**
 * Keys read from the environment never leave an adapter: what a server echoes back (error bodies,
 * failed result lines) is redacted in every value the catalog's adapters return, yield or throw.
 */
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { EmulatorServer, FaultOptions } from '../../src/emulator/emulator.js';
import type { ProviderId } from '../../src/domain.js';
import type { BatchItemResult } from '../../src/providers/batch-provider.js';
import { createProviderCatalog, SECRET_VARIABLES } from '../../src/providers/registry.js';
import { MIN_SECRET_LENGTH, SecretRedactor } from '../../src/redact-secrets.js';
import { makeRequests, pollUntilDone, writeShard } from '../helpers/shard-file.js';
import { FAST_TIMING, useEmulators } from '../helpers/emulators.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

const KEYS = {
  OPENAI_API_KEY: 'sk-proj-openai0123456789SECRET',
  ANTHROPIC_API_KEY: 'sk-ant-api03-anthropic0123456789SECRET',
  GEMINI_API_KEY: 'AIzaGemini0123456789SECRET',
  OPENAI_COMPATIBLE_API_KEY: 'local-server-0123456789SECRET',
} as const;

const VARIABLE: Record<Exclude<ProviderId, 'openai-compatible'>, keyof typeof KEYS> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  gemini: 'GEMINI_API_KEY',
};
const MODEL = { openai: 'gpt-4o-mini', anthropic: 'claude-haiku-4-5', gemini: 'gemini-2.5-flash' } as const;

function catalogFor(emulator: EmulatorServer) {
  return createProviderCatalog({
    env: {
      ...KEYS,
      OPENAI_BASE_URL: emulator.openaiBaseURL,
      ANTHROPIC_BASE_URL: emulator.anthropicBaseURL,
      GEMINI_BASE_URL: emulator.geminiBaseURL,
    },
    maxRetries: 0,
    timeoutMs: 10_000,
  });
}

/** Everything a value or an error could show: its JSON, its inspection (stack and causes included). */
function everythingIn(value: unknown): string {
  return `${inspect(value, { depth: 20, showHidden: true })}\n${JSON.stringify(value)}`;
}

async function collect(iterable: AsyncIterable<BatchItemResult>): Promise<BatchItemResult[]> {
  const results: BatchItemResult[] = [];
  for await (const result of iterable) results.push(result);
  return results;
}

describe('SecretRedactor', () => {
  const redactor = new SecretRedactor([{ name: 'OPENAI_API_KEY', value: 'sk-abc/def+ghi"jkl' }]);

  it('replaces a key as sent, JSON-escaped and URL-encoded, in text, data and keys', () => {
    expect(redactor.text('Bearer sk-abc/def+ghi"jkl!')).toBe('Bearer [REDACTED:OPENAI_API_KEY]!');
    expect(redactor.text(JSON.stringify({ header: 'sk-abc/def+ghi"jkl' }))).toBe('{"header":"[REDACTED:OPENAI_API_KEY]"}');
    expect(redactor.text(`?key=${encodeURIComponent('sk-abc/def+ghi"jkl')}`)).toBe('?key=[REDACTED:OPENAI_API_KEY]');
    expect(redactor.value({ list: ['x sk-abc/def+ghi"jkl', 3], 'sk-abc/def+ghi"jkl': true })).toEqual({ list: ['x [REDACTED:OPENAI_API_KEY]', 3], '[REDACTED:OPENAI_API_KEY]': true });
  });

  it('returns the same object when nothing needs redacting', () => {
    const value = { text: 'clean', nested: [{ also: 'clean' }], vector: [0.1, 0.2] };
    expect(redactor.value(value)).toBe(value);
  });

  it('redacts an error in place: message, stack, details and causes (an SDK cause becomes a plain Error)', () => {
    const sdkError = Object.assign(new Error('401 key sk-abc/def+ghi"jkl refused'), { status: 401, headers: { echo: 'sk-abc/def+ghi"jkl' } });
    const error = Object.assign(new Error('failed: sk-abc/def+ghi"jkl', { cause: sdkError }), { details: { body: 'sk-abc/def+ghi"jkl' } });
    expect(redactor.error(error)).toBe(error);
    expect(everythingIn(error)).not.toContain('sk-abc/def+ghi"jkl');
    expect(error.message).toBe('failed: [REDACTED:OPENAI_API_KEY]');
    expect((error.cause as Error & { status: number }).status).toBe(401);
  });

  it('leaves values too short to be keys alone, so `OPENAI_API_KEY=any` does not redact every "any"', () => {
    const short = SecretRedactor.fromEnv({ OPENAI_API_KEY: 'any' }, SECRET_VARIABLES);
    expect(short.isEmpty).toBe(true);
    expect(short.text('any answer')).toBe('any answer');
    expect('x'.repeat(MIN_SECRET_LENGTH - 1).length).toBeLessThan(MIN_SECRET_LENGTH);
  });

  it('knows every key variable the providers read, optional ones included', () => {
    expect([...SECRET_VARIABLES].sort()).toEqual(['ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY', 'OPENAI_API_KEY', 'OPENAI_COMPATIBLE_API_KEY']);
  });
});

describe('adapters opened by the catalog, against a server that echoes credentials', () => {
  for (const provider of ['openai', 'anthropic', 'gemini'] as const) {
    const key = KEYS[VARIABLE[provider]];
    const mark = `[REDACTED:${VARIABLE[provider]}]`;
    const start = (faults: Partial<FaultOptions>) => emulators.start({ faults: { timing: FAST_TIMING, echoCredentials: true, ...faults } });

    it(`${provider}: failed result lines quoting the key come back redacted`, async () => {
      const emulator = await start({ lineErrorRate: 1 });
      const adapter = await catalogFor(emulator).open({ provider, model: MODEL[provider] });
      const handle = await adapter.submit(writeShard(tempDir(), adapter, makeRequests(4, MODEL[provider])));
      await pollUntilDone(adapter, handle);
      const results = await collect(adapter.results(handle));
      expect(results).toHaveLength(4);
      for (const result of results) {
        if (result.outcome !== 'errored') throw new Error(`expected an errored line, got ${result.outcome}`);
        expect(result.error.message).toContain(mark);
      }
      expect(everythingIn(results)).not.toContain(key);
    });

    it(`${provider}: an error reply quoting the key is thrown redacted (message, stack, details, cause)`, async () => {
      const emulator = await start({ createErrors: [500] });
      const adapter = await catalogFor(emulator).open({ provider, model: MODEL[provider] });
      const error = await adapter.submit(writeShard(tempDir(), adapter, makeRequests(2, MODEL[provider]))).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'provider_api', message: expect.stringContaining(mark) });
      expect(everythingIn(error)).not.toContain(key);
    });
  }

  it('openai-compatible: the results file it writes beside the shard holds no key', async () => {
    const emulator = await emulators.start({ faults: { echoCredentials: true, syncErrorRate: 1 } });
    const adapter = await catalogFor(emulator).open({ provider: 'openai-compatible', model: 'llama-3.1-8b-instruct' }, { baseUrl: emulator.openaiCompatibleBaseURL });
    const shard = writeShard(tempDir(), adapter, makeRequests(3, 'llama-3.1-8b-instruct'));
    const handle = await adapter.submit(shard);
    await pollUntilDone(adapter, handle);
    const results = await collect(adapter.results(handle));
    expect(results.every((result) => result.outcome === 'errored' && result.error.message.includes('[REDACTED:OPENAI_COMPATIBLE_API_KEY]'))).toBe(true);
    const written = readFileSync(`${shard.inputPath}.results.jsonl`, 'utf8');
    expect(written).toContain('[REDACTED:OPENAI_COMPATIBLE_API_KEY]');
    expect(written).not.toContain(KEYS.OPENAI_COMPATIBLE_API_KEY);
  });
});

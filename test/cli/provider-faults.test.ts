/**
 * Provider faults a user meets end to end: a provider that fails both the create and the lookup that
 * follows it, and one that refuses the key. Each ends the run with a coded error, its exit code and a
 * one-line message; never "internal error (a bug)", exit 70 and a stack.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EmulatorServer } from '../../src/emulator/emulator.js';
import { EXIT_CODES } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { FAST_TIMING, useEmulators } from '../helpers/emulators.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

const MODELS = { openai: 'gpt-4o-mini', anthropic: 'claude-haiku-4-5', gemini: 'gemini-2.5-flash' } as const;
type Provider = keyof typeof MODELS;

function project(provider: Provider): string {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'recipe.yaml'),
    `name: faults
seeds:
  - inline: [{ topic: tea }, { topic: coffee }, { topic: cocoa }]
steps:
  - generate: question
    model: ${provider}/${MODELS[provider]}
    max_tokens: 256
    prompt: "Write a question about {{ topic }}."
    schema: { type: object, properties: { question: { type: string } }, required: [question] }
output:
  format: raw
`,
  );
  return dir;
}

function envFor(provider: Provider, emulator: EmulatorServer): Record<string, string> {
  if (provider === 'openai') return { OPENAI_API_KEY: 'sk-test-openai', OPENAI_BASE_URL: emulator.openaiBaseURL };
  if (provider === 'anthropic') return { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: emulator.anthropicBaseURL };
  return { GEMINI_API_KEY: 'AIza-test-key', GEMINI_BASE_URL: emulator.geminiBaseURL };
}

const run = (dir: string, env: Record<string, string>) => runCli(['run', 'recipe.yaml', '--poll-interval', '10'], { cwd: dir, env });

describe('provider faults end to end', () => {
  for (const provider of Object.keys(MODELS) as Provider[]) {
    it(`${provider}: 500 on create, then 500 on the lookup, stops the run resumable with a coded provider error`, async () => {
      // The SDKs retry a list three times: four 500s make the lookup fail for good.
      const emulator = await emulators.start({ faults: { timing: FAST_TIMING, createErrors: [500], listErrors: [500, 500, 500, 500] } });
      const dir = project(provider);
      const failed = await run(dir, envFor(provider, emulator));
      expect(failed.stderr).not.toContain('internal error');
      expect(failed.stderr).not.toMatch(/^\s+at /m);
      expect(failed.stderr).toContain(`error: ${provider} list failed (HTTP 500)`);
      expect(failed.code).toBe(EXIT_CODES.failed);
      expect(emulator.stats().batchesCreated[provider]).toBe(0);
      // Once the provider answers again, the same command picks the run up and sends the shard once.
      emulator.configure({ listErrors: [] });
      const resumed = await run(dir, envFor(provider, emulator));
      expect(resumed.stderr).toContain('resuming run');
      expect(resumed.code).toBe(0);
      expect(emulator.stats().batchesCreated[provider]).toBe(1);
    });
  }

  it('a refused key stops the run at once: one message naming the provider and the variable, exit 2, nothing published', async () => {
    const emulator = await emulators.start({ faults: { timing: FAST_TIMING, authError: 401 } });
    const dir = project('anthropic');
    const result = await run(dir, envFor('anthropic', emulator));
    expect(result.code).toBe(EXIT_CODES.usage);
    expect(result.stderr).toMatch(/^error: anthropic refused the API key \(HTTP 401 on create\): .*; check the key in ANTHROPIC_API_KEY$/m);
    expect(result.stderr).not.toContain('internal error');
    expect(emulator.stats().faultsInjected.authErrors).toBe(1);
    expect(existsSync(join(dir, 'outputs', 'faults'))).toBe(false);
  });
});

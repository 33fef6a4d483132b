/**
 * A model the catalogue does not list, let through with `model_check: warn`, that the provider does
 * not have either: the run ends with a clear error naming the model, whatever the provider does with
 * it (OpenAI fails the batch, Anthropic errors each request, Gemini refuses the create).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { emulatorEnv, FAST_TIMING, useEmulators } from '../helpers/emulators.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

function project(model: string): string {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'recipe.yaml'),
    `name: unknown-model
seeds:
  - inline: [{ topic: tea }, { topic: coffee }]
steps:
  - generate: question
    model: ${model}
    model_check: warn
    prompt: "Ask about {{ topic }}."
    schema: { type: object, properties: { question: { type: string } }, required: [question] }
`,
  );
  return dir;
}

async function runAgainstEmulator(model: string) {
  const emulator = await emulators.start({ faults: { timing: FAST_TIMING } });
  const dir = project(model);
  const result = await runCli(['run', 'recipe.yaml', '--poll-interval', '5'], { cwd: dir, env: emulatorEnv(emulator) });
  return { result, emulator, dir };
}

describe('a run against a model the provider does not have', () => {
  it('OpenAI (the batch fails validation): exit 1 after one batch, not one per attempt, naming the model and the code, nothing published', async () => {
    const { result, dir, emulator } = await runAgainstEmulator('openai/gpt-7');
    // The same input would fail validation the same way: its requests are final after the first batch.
    expect(emulator.stats().batchesCreated.openai).toBe(1);
    expect(result.stderr).toContain('warning: unknown openai model "gpt-7"');
    expect(result.code).toBe(EXIT_CODES.failed);
    expect(result.stderr).toMatch(/error: step question produced no valid sample of 2 requested[\s\S]*model_not_found: The provided model 'gpt-7'/);
    expect(existsSync(join(dir, 'outputs', 'unknown-model'))).toBe(false);
  });

  it('Anthropic (each request errored not_found_error): exit 1 after one batch, not one per attempt', async () => {
    const { result, emulator } = await runAgainstEmulator('anthropic/claude-7');
    expect(result.code).toBe(EXIT_CODES.failed);
    expect(result.stderr).toMatch(/error: step question produced no valid sample[\s\S]*not_found_error: model: claude-7/);
    expect(emulator.stats().batchesCreated.anthropic).toBe(1);
  });

  it('Gemini (the create is refused with 404): exit 1 at once, naming the model, no batch created', async () => {
    const { result, emulator } = await runAgainstEmulator('gemini/gemini-7');
    expect(result.code).toBe(EXIT_CODES.failed);
    expect(result.stderr).toContain('error: gemini create failed (HTTP 404): NOT_FOUND: models/gemini-7 is not found');
    expect(emulator.stats().batchesCreated.gemini).toBe(0);
  });
});

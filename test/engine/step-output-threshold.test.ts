/**
 * A run that produced nothing never succeeds: a generate step whose answers all failed, or whose
 * valid share is below `min_valid_rate`, fails the run before anything is published.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { FAST_TIMING, useEmulators } from '../helpers/emulators.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

function recipe(extra: string): string {
  return `name: thin
seeds:
  - product: { topic: [tea, coffee, cocoa, mate, juice], audience: [child, chemist, chef, pilot] }
max_attempts: 1
${extra}
steps:
  - generate: question
    model: openai/gpt-4o-mini
    prompt: "Ask a {{ audience }} question about {{ topic }}."
    schema: { type: object, properties: { question: { type: string } }, required: [question] }
`;
}

function project(text: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'recipe.yaml'), text);
  return dir;
}

const run = (dir: string) =>
  runCli(['run', 'recipe.yaml', '--poll-interval', '5'], { cwd: dir, env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: emulators.current.openaiBaseURL } });

describe('a step that produced too little fails the run', () => {
  it('every answer errored: exit 1, a message with the reasons, and no version published', async () => {
    await emulators.start({ faults: { timing: FAST_TIMING, lineErrorRate: 1 } });
    const dir = project(recipe(''));
    const result = await run(dir);
    expect(result.code).toBe(EXIT_CODES.failed);
    expect(result.stderr).toContain('step question produced no valid sample of 20 requested; nothing was published');
    expect(result.stderr).toMatch(/provider_error: 20/);
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(existsSync(join(dir, 'outputs', 'thin'))).toBe(false);
  });

  it('below min_valid_rate: fails; lowering it and running the same command publishes what came back without sending again', async () => {
    const emulator = await emulators.start({ faults: { timing: FAST_TIMING, seed: 3, lineErrorRate: 0.7 } });
    const dir = project(recipe('min_valid_rate: 0.9'));
    const failed = await run(dir);
    expect(failed.code).toBe(EXIT_CODES.failed);
    expect(failed.stderr).toMatch(/step question produced \d+ valid samples of 20 \(\d+\.\d%\), fewer than min_valid_rate 0\.9 asks/);
    expect(existsSync(join(dir, 'outputs', 'thin'))).toBe(false);
    const sent = emulator.stats().requestsReceived.openai;
    writeFileSync(join(dir, 'recipe.yaml'), recipe('min_valid_rate: 0.05'));
    const published = await run(dir);
    expect(published.code).toBe(EXIT_CODES.ok);
    expect(published.stderr).toContain('resuming run');
    expect(emulator.stats().requestsReceived.openai).toBe(sent);
    expect(existsSync(join(dir, 'outputs', 'thin', 'v1', 'manifest.json'))).toBe(true);
  });
});

describe('a key refused on every result line stops the run at once', () => {
  it('exit 2 naming the variable, nothing published; with the key fixed the same command resumes and sends the refused lines again', async () => {
    const emulator = await emulators.start({ faults: { timing: FAST_TIMING, lineErrorRate: 1, lineErrorStatus: 401 } });
    // The default max_attempts (3): the refused lines ran nothing, and the resumed run's next round sends them.
    const dir = project(recipe('').replace('max_attempts: 1\n', ''));
    const refused = await run(dir);
    expect(refused.code).toBe(EXIT_CODES.usage);
    expect(refused.stderr).toMatch(/openai refused the requests of a batch: .*OPENAI_API_KEY/);
    expect(existsSync(join(dir, 'outputs', 'thin'))).toBe(false);
    const sent = emulator.stats().requestsReceived.openai;
    expect(sent).toBe(20);
    emulator.configure({ lineErrorRate: 0 });
    const resumed = await run(dir);
    expect(resumed.stderr).toContain('resuming run');
    expect(resumed.code).toBe(EXIT_CODES.ok);
    expect(emulator.stats().requestsReceived.openai).toBe(40);
  });
});

describe('a run whose last step left no record', () => {
  it('fails with exit 1 naming what each step kept, and publishes no empty version', async () => {
    const dir = project(`name: thin
seeds:
  - inline: [{ text: a }, { text: b }]
steps:
  - filter: { field: text, matches: "zzz" }
output: { format: raw }
`);
    const result = await runCli(['run', 'recipe.yaml', '--offline'], { cwd: dir });
    expect(result.code).toBe(EXIT_CODES.failed);
    expect(result.stderr).toContain('the run produced no record to publish (filter-0: 2 in, 0 out); nothing was published');
    expect(existsSync(join(dir, 'outputs', 'thin'))).toBe(false);
  });
});

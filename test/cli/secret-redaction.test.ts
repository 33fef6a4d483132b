/**
 * A server that echoes the caller's credentials (in every error body and every failed result line)
 * must not get the key written anywhere: not to stderr, not to `--json` output, not into the store,
 * the shard and result files of the state directory, or the published dataset and its manifest.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { FAST_TIMING, useEmulators } from '../helpers/emulators.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

const KEY = 'sk-proj-EchoedBack0123456789abcdefSECRET';
const MARK = '[REDACTED:OPENAI_API_KEY]';

const RECIPE = `name: echoed
seeds:
  - inline: [{ topic: tea }, { topic: coffee }, { topic: cocoa }, { topic: mate }, { topic: chai }, { topic: rooibos }]
steps:
  - generate: question
    model: openai/gpt-4o-mini
    max_attempts: 1
    prompt: "Write a question about {{ topic }}."
    schema: { type: object, properties: { question: { type: string } }, required: [question] }
output:
  format: raw
`;

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The files under `dirs` whose bytes hold `needle`. */
function filesHolding(dirs: string[], needle: string): string[] {
  const bytes = Buffer.from(needle);
  return dirs.flatMap(filesUnder).filter((path) => readFileSync(path).includes(bytes));
}

function printed(results: CliResult[]): string {
  return results.map((result) => `${result.stdout}\n${result.stderr}`).join('\n');
}

describe('a key echoed back by the server', () => {
  it('is redacted from stderr, --json output, the store, the state directory and the dataset', async () => {
    const emulator = await emulators.start({
      faults: { timing: FAST_TIMING, echoCredentials: true, seed: 3, lineErrorRate: 0.5, createErrors: [500] },
    });
    const dir = tempDir();
    writeFileSync(join(dir, 'recipe.yaml'), RECIPE);
    const env = { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: emulator.openaiBaseURL };
    // A create answered 500 (echoing the key) is reconciled and retried; half the lines fail, echoing it too.
    const text = await runCli(['run', 'recipe.yaml', '--poll-interval', '10'], { cwd: dir, env });
    expect(text.code).toBe(0);
    expect(emulator.stats().faultsInjected).toMatchObject({ createErrors: 1 });
    expect(emulator.stats().faultsInjected.lineError).toBeGreaterThan(0);
    emulator.configure({ createErrors: [500] });
    const json = await runCli(['run', 'recipe.yaml', '--json', '--fresh', '--no-cache', '--force-version', '--poll-interval', '10'], { cwd: dir, env });
    expect(json.code).toBe(0);
    // Every call refused with an echoing 401: the error itself is printed, in text and in JSON.
    emulator.configure({ authError: 401 });
    const refusedText = await runCli(['run', 'recipe.yaml', '--fresh', '--no-cache', '--poll-interval', '10'], { cwd: dir, env });
    const refusedJson = await runCli(['run', 'recipe.yaml', '--json', '--fresh', '--no-cache', '--poll-interval', '10'], { cwd: dir, env });
    expect(refusedText.code).toBe(2);
    expect(refusedJson.code).toBe(2);

    const output = printed([text, json, refusedText, refusedJson]);
    expect(output).not.toContain(KEY);
    // The echo really happened: the redaction mark stands where the key was.
    expect(refusedText.stderr).toContain(MARK);
    expect(JSON.parse(refusedJson.stdout.trim().split('\n').at(-1)!).error.message).toContain(MARK);
    expect(json.stdout).toContain(MARK);
    const written = [join(dir, '.synthforge'), join(dir, 'outputs')];
    expect(filesHolding(written, KEY)).toEqual([]);
    expect(filesHolding([join(dir, '.synthforge')], MARK).some((path) => path.includes('synthforge.db'))).toBe(true);
  });
});

/**
 * Everything that can be known about the output root is checked before the first request is sent:
 * a run that cannot publish must not be paid for.
 */
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { FAST_TIMING, useEmulators } from '../helpers/emulators.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

const RECIPE = `name: outs
seeds:
  - inline: [{ topic: tea }, { topic: coffee }]
steps:
  - generate: question
    model: openai/gpt-4o-mini
    prompt: "Ask about {{ topic }}."
    schema: { type: object, properties: { question: { type: string } }, required: [question] }
output: { format: raw }
`;

function project(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'recipe.yaml'), RECIPE);
  return dir;
}

async function run(dir: string, ...extra: string[]) {
  const result = await runCli(['run', 'recipe.yaml', '--poll-interval', '5', ...extra], {
    cwd: dir,
    env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: emulators.current.openaiBaseURL },
  });
  return result;
}

function expectRefusedBeforeSending(result: Awaited<ReturnType<typeof run>>): void {
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(result.code).toBe(2);
  expect(emulators.current.stats().filesUploaded).toBe(0);
  expect(emulators.current.stats().createAttempts.openai).toBe(0);
}

describe('output root checks', () => {
  it('--out naming a file is refused before anything is sent', async () => {
    await emulators.start({ faults: { timing: FAST_TIMING } });
    const dir = project();
    writeFileSync(join(dir, 'out.txt'), 'not a folder\n');
    const result = await run(dir, '--out', 'out.txt');
    expectRefusedBeforeSending(result);
    expect(result.stderr).toContain(`output root ${join(dir, 'out.txt')} is a file, not a directory`);
  });

  it('--out below a file is refused before anything is sent', async () => {
    await emulators.start({ faults: { timing: FAST_TIMING } });
    const dir = project();
    writeFileSync(join(dir, 'out.txt'), 'not a folder\n');
    const result = await run(dir, '--out', 'out.txt/datasets');
    expectRefusedBeforeSending(result);
    expect(result.stderr).toContain(`cannot create output root ${join(dir, 'out.txt', 'datasets')}: ${join(dir, 'out.txt')} is a file`);
  });

  it('a version folder that is a symlink is refused before anything is sent, and nothing is written through it', async () => {
    await emulators.start({ faults: { timing: FAST_TIMING } });
    const dir = project();
    const elsewhere = join(tempDir(), 'elsewhere');
    mkdirSync(elsewhere);
    mkdirSync(join(dir, 'outputs', 'outs'), { recursive: true });
    symlinkSync(elsewhere, join(dir, 'outputs', 'outs', 'v1'));
    const result = await run(dir);
    expectRefusedBeforeSending(result);
    expect(result.stderr).toContain(`${join(dir, 'outputs', 'outs', 'v1')} is a symbolic link`);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('a dataset folder that is a symlink leading outside the output root is refused before anything is sent', async () => {
    await emulators.start({ faults: { timing: FAST_TIMING } });
    const dir = project();
    const elsewhere = join(tempDir(), 'elsewhere');
    mkdirSync(elsewhere);
    mkdirSync(join(dir, 'outputs'));
    symlinkSync(elsewhere, join(dir, 'outputs', 'outs'));
    const result = await run(dir);
    expectRefusedBeforeSending(result);
    expect(result.stderr).toContain(`${join(dir, 'outputs', 'outs')} leads to ${elsewhere}, outside the output root ${join(dir, 'outputs')}`);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('a dataset path taken by a file is refused before anything is sent', async () => {
    await emulators.start({ faults: { timing: FAST_TIMING } });
    const dir = project();
    mkdirSync(join(dir, 'outputs'));
    writeFileSync(join(dir, 'outputs', 'outs'), '');
    const result = await run(dir);
    expectRefusedBeforeSending(result);
    expect(result.stderr).toContain(`${join(dir, 'outputs', 'outs')} is a file, not a directory`);
  });

  it('an output root that is itself a symlink to a directory is fine: versions land in its target', async () => {
    await emulators.start({ faults: { timing: FAST_TIMING } });
    const dir = project();
    const target = join(tempDir(), 'big-disk');
    mkdirSync(target);
    symlinkSync(target, join(dir, 'outputs'));
    const result = await run(dir);
    expect(result.code).toBe(0);
    expect(existsSync(join(target, 'outs', 'v1', 'manifest.json'))).toBe(true);
  });
});

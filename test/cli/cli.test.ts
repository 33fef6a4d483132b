import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_CODE_MEANINGS, EXIT_CODES, type ExitKind } from '../../src/errors.js';
import { CLI, runCli } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { FAST_TIMING, useEmulators } from '../helpers/emulators.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

const FAST_CONFIG = JSON.stringify({ faults: { timing: FAST_TIMING } });

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function projectWithQuickstart(): string {
  const dir = tempDir();
  cpSync(join(process.cwd(), 'recipes'), join(dir, 'recipes'), { recursive: true });
  return dir;
}

describe('synthforge CLI', () => {
  it('runs the quickstart offline and ends with a summary naming the output', async () => {
    const dir = projectWithQuickstart();
    const result = await runCli(['run', 'recipes/quickstart.yaml', '--offline', '--emulator-config', FAST_CONFIG], { cwd: dir });
    expect(result.stderr).toContain('seeds: 10 records');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/run run-\S+ completed \(offline, emulator\)/);
    expect(result.stdout).toMatch(/samples: \d+ requested, \d+ requests sent, 0 from cache, \d+ valid, 0 invalid/);
    expect(result.stdout).toContain(`output: ${join(dir, 'outputs', 'support-qa', 'v1')}`);
    const first = JSON.parse(readFileSync(join(dir, 'outputs', 'support-qa', 'v1', 'data', 'train-00000-of-00001.jsonl'), 'utf8').split('\n')[0]!);
    expect(first.messages.map((message: { role: string }) => message.role)).toEqual(['user', 'assistant']);
    // What gets pushed to the Hub names the recipe as the project knows it, not by a local absolute path.
    const version = join(dir, 'outputs', 'support-qa', 'v1');
    expect(JSON.parse(readFileSync(join(version, 'manifest.json'), 'utf8')).recipe.path).toBe('recipes/quickstart.yaml');
    for (const file of ['manifest.json', 'README.md']) expect(readFileSync(join(version, file), 'utf8')).not.toContain(dir);
  });

  it('streams NDJSON events on stdout with --json, ending with run-end', async () => {
    const dir = projectWithQuickstart();
    const result = await runCli(['run', 'recipes/quickstart.yaml', '--offline', '--json', '--emulator-config', FAST_CONFIG], { cwd: dir });
    expect(result.code).toBe(0);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; summary?: { status: string } });
    expect(events[0]!.type).toBe('run-start');
    expect(events.at(-1)).toMatchObject({ type: 'run-end', summary: { status: 'completed' } });
  });

  it('--help lists every exit code with its meaning', async () => {
    const result = await runCli(['--help'], { cwd: tempDir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Exit codes:');
    for (const kind of Object.keys(EXIT_CODES) as ExitKind[]) {
      expect(result.stdout).toMatch(new RegExp(`^ +${EXIT_CODES[kind]} +${escapeRegExp(EXIT_CODE_MEANINGS[kind])}$`, 'm'));
    }
  });

  it('validate prints every issue with file:line:col and exits 2', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'bad.yaml'),
      'name: bad\nseeds:\n  - inline: [{ topic: tea }]\nsteps:\n  - generate: q\n    model: opneai/gpt-4o-mini\n    temprature: 1\n    prompt: "{{ topc }}"\n    schema: { type: object, properties: { q: { type: string } } }\n',
    );
    const result = await runCli(['validate', 'bad.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(dir, 'bad.yaml')}:6:12  steps[0].model  unknown provider "opneai"`);
    expect(result.stderr).toContain(`${join(dir, 'bad.yaml')}:7:5  steps[0].temprature  unknown key "temprature" (did you mean "temperature"?)`);
  });

  it('validate refuses a misspelt model at the line and column of its value, with a did-you-mean, and exits 2', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'r.yaml'), 'name: r\nseeds:\n  - inline: [{ topic: tea }]\nsteps:\n  - generate: q\n    model: openai/gpt-4o-mni\n    prompt: "{{ topic }}"\n    schema: { type: object, properties: { q: { type: string } } }\n');
    const result = await runCli(['validate', 'r.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(dir, 'r.yaml')}:6:12  steps[0].model  unknown openai model "gpt-4o-mni" (did you mean gpt-4o-mini?)`);
  });

  it('validate accepts an unlisted model with model_check: warn and prints the warning', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'r.yaml'), 'name: r\nseeds:\n  - inline: [{ topic: tea }]\nsteps:\n  - generate: q\n    model: openai/gpt-7\n    model_check: warn\n    prompt: "{{ topic }}"\n    schema: { type: object, properties: { q: { type: string } } }\n');
    const result = await runCli(['validate', 'r.yaml'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${join(dir, 'r.yaml')}:6:12  steps[0].model  warning: unknown openai model "gpt-7"`);
  });

  it('validate reports a template variable no seed provides', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'r.yaml'), 'name: r\nseeds:\n  - inline: [{ topic: tea }]\nsteps:\n  - generate: q\n    model: openai/gpt-4o-mini\n    prompt: "{{ topc }}"\n    schema: { type: object, properties: { q: { type: string } } }\n');
    const result = await runCli(['validate', 'r.yaml', '--json'], { cwd: dir });
    expect(result.code).toBe(2);
    const output = JSON.parse(result.stdout);
    expect(output.error.code).toBe('recipe_invalid');
    expect(output.error.issues[0]).toMatchObject({ line: 7, column: 13, code: 'unknown_variable' });
  });

  it('stops at a malformed seed line before anything is sent, naming file and line', async () => {
    const emulator = await emulators.start();
    const dir = tempDir();
    writeFileSync(join(dir, 'seeds.jsonl'), '{"topic": "tea"}\n{"topic": "coffee"}\n{"topic": broken}\n');
    writeFileSync(join(dir, 'r.yaml'), 'name: r\nseeds:\n  - jsonl: seeds.jsonl\nsteps:\n  - generate: q\n    model: openai/gpt-4o-mini\n    prompt: "{{ topic }}"\n    schema: { type: object, properties: { q: { type: string } } }\n');
    const result = await runCli(['run', 'r.yaml'], { cwd: dir, env: { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: emulator.openaiBaseURL } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(dir, 'seeds.jsonl')}:3`);
    expect(emulator.stats().filesUploaded).toBe(0);
    expect(emulator.stats().createAttempts.openai).toBe(0);
  });

  it('without a key and without --offline, says how to set the key or run offline', async () => {
    const dir = projectWithQuickstart();
    const result = await runCli(['run', 'recipes/quickstart.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no API key for openai: set OPENAI_API_KEY in the environment, or run with --offline/);
  });

  it('plan shows requests and shards per step without sending anything', async () => {
    const dir = projectWithQuickstart();
    const result = await runCli(['plan', 'recipes/quickstart.yaml', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.seedRecords).toBe(10);
    expect(plan.steps[0]).toMatchObject({ name: 'question', requests: 30, shards: 1, exact: true, outputMode: 'native' });
  });

  it("plan prints each step's queue and the recipe's warnings with file:line", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'r.yaml'),
      'name: w\nseeds:\n  - inline: [{ topic: a }]\nsteps:\n  - generate: q\n    model: openai/gpt-7\n    model_check: warn\n    prompt: "Ask about {{ topic }}"\n    schema: { type: object, properties: { q: { type: string } }, required: [q] }\n',
    );
    const result = await runCli(['plan', 'r.yaml'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/queue: openai\/gpt-7: ~\d+ input tokens to queue/);
    expect(result.stdout).toMatch(/r\.yaml:6:\d+ .*gpt-7.*model_check: warn/);
    const json = JSON.parse((await runCli(['plan', 'r.yaml', '--json'], { cwd: dir })).stdout);
    expect(json.warnings).toEqual([expect.objectContaining({ code: 'unknown_model', severity: 'warning', line: 6 })]);
  });

  it('serves the emulator standalone; a run reaches it through OPENAI_BASE_URL and its stats count the batch', async () => {
    const dir = projectWithQuickstart();
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [CLI, 'emulator', '--port', '0', '--config', FAST_CONFIG], { cwd: dir, env: { PATH: process.env.PATH ?? '' } });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
          if (match) resolve(match[1]!);
        });
        child.on('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
      });
      const result = await runCli(['run', 'recipes/quickstart.yaml', '--poll-interval', '10'], { cwd: dir, env: { OPENAI_API_KEY: 'any', OPENAI_BASE_URL: `${url}/v1` } });
      expect(result.code).toBe(0);
      const stats = (await (await fetch(`${url}/_emulator/stats`)).json()) as { batchesCreated: { openai: number } };
      expect(stats.batchesCreated.openai).toBe(2);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('every command explains itself with --help', async () => {
    const dir = tempDir();
    for (const command of ['run', 'validate', 'plan', 'emulator']) {
      const result = await runCli([command, '--help'], { cwd: dir });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: synthforge ${command}`);
    }
    const top = await runCli(['--help'], { cwd: dir });
    expect(top.stdout).toMatch(/run \[options\] <recipe>/);
  });
});

import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { FAST_TIMING, useEmulators } from '../helpers/emulators.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

const FAST_CONFIG = JSON.stringify({ faults: { timing: FAST_TIMING } });

function recipeOver(seed: string, extra = ''): string {
  return `name: r\n${extra}seeds:\n  - ${seed}\nsteps:\n  - generate: q\n    model: openai/gpt-4o-mini\n    prompt: "{{ topic }}"\n    schema: { type: object, properties: { q: { type: string } } }\n`;
}

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => statSync(join(dir, name)).isFile());
}

function expectNoBugReport(stderr: string): void {
  expect(stderr).not.toContain('internal error');
  expect(stderr).not.toMatch(/^\s+at /m);
}

/** 150 good lines, then a malformed one: past the 100 records that validate used to peek at. */
function seedsWithLateBadLine(dir: string): string {
  const good = Array.from({ length: 150 }, (_, index) => JSON.stringify({ topic: `topic ${index}` })).join('\n');
  const file = join(dir, 'seeds.jsonl');
  writeFileSync(file, `${good}\n{"topic": broken}\n`);
  return file;
}

describe('malformed seed data anywhere in the file', () => {
  it('stops the run at a malformed line past the first 100 records: file:line, exit 2, nothing sent, no .partial left', async () => {
    const emulator = await emulators.start();
    const dir = tempDir();
    const seeds = seedsWithLateBadLine(dir);
    writeFileSync(join(dir, 'r.yaml'), recipeOver('jsonl: seeds.jsonl'));
    const result = await runCli(['run', 'r.yaml'], { cwd: dir, env: { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: emulator.openaiBaseURL } });
    expect(result.stderr).toContain(`error: ${seeds}:151:`);
    expect(result.stderr).toContain('malformed JSON');
    expectNoBugReport(result.stderr);
    expect(result.code).toBe(2);
    expect(emulator.stats().filesUploaded).toBe(0);
    expect(emulator.stats().createAttempts.openai).toBe(0);
    expect(filesUnder(join(dir, '.synthforge')).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });

  it('validate --data reads every seed record and names the malformed line; plain validate only peeks', async () => {
    const dir = tempDir();
    const seeds = seedsWithLateBadLine(dir);
    writeFileSync(join(dir, 'r.yaml'), recipeOver('jsonl: seeds.jsonl'));
    const quick = await runCli(['validate', 'r.yaml'], { cwd: dir });
    expect(quick.code).toBe(0);
    const full = await runCli(['validate', 'r.yaml', '--data'], { cwd: dir });
    expect(full.stderr).toContain(`error: ${seeds}:151:`);
    expectNoBugReport(full.stderr);
    expect(full.code).toBe(2);
    const json = await runCli(['validate', 'r.yaml', '--data', '--json'], { cwd: dir });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'seed_invalid' });
  });

  it('validate --data counts the records of valid seed data', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'seeds.jsonl'), Array.from({ length: 250 }, (_, index) => JSON.stringify({ topic: `t${index}` })).join('\n'));
    writeFileSync(join(dir, 'r.yaml'), recipeOver('jsonl: seeds.jsonl'));
    const text = await runCli(['validate', 'r.yaml', '--data'], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('seed data: 250 records read');
    const json = await runCli(['validate', 'r.yaml', '--data', '--json'], { cwd: dir });
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, seedRecords: 250 });
  });
});

describe('hostile recipes and seeds end as coded usage errors, never a bug report', () => {
  it('a YAML alias bomb: exit 2, file:line', async () => {
    const dir = tempDir();
    const levels = Array.from({ length: 9 }, (_, index) => `x${index + 1}: &a${index + 1} [${Array(9).fill(`*a${index}`).join(', ')}]`);
    writeFileSync(join(dir, 'bomb.yaml'), `name: r\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n${levels.join('\n')}\nseeds: []\nsteps: []\n`);
    const result = await runCli(['validate', 'bomb.yaml'], { cwd: dir });
    expectNoBugReport(result.stderr);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`${join(dir, 'bomb.yaml')}:3:\\d+ .*alias`));
  });

  it('YAML nested 5,000 deep: exit 2, file:line:col and the limit', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'deep.yaml'), `name: r\nseeds:\n  - inline: [{ topic: ${'['.repeat(5000)}${']'.repeat(5000)} }]\nsteps: []\n`);
    const result = await runCli(['validate', 'deep.yaml'], { cwd: dir });
    expectNoBugReport(result.stderr);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`${join(dir, 'deep.yaml')}:3:\\d+ .*nest.*100 levels`));
    expect(result.stderr).not.toContain('Maximum call stack');
  });

  it('a seed record nested 200,000 deep: exit 2, file:line, nothing sent', async () => {
    const emulator = await emulators.start();
    const dir = tempDir();
    writeFileSync(join(dir, 'seeds.jsonl'), `{"topic": "tea"}\n{"topic": ${'['.repeat(200_000)}${']'.repeat(200_000)}}\n`);
    writeFileSync(join(dir, 'r.yaml'), recipeOver('jsonl: seeds.jsonl'));
    const result = await runCli(['run', 'r.yaml'], { cwd: dir, env: { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: emulator.openaiBaseURL } });
    expectNoBugReport(result.stderr);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(dir, 'seeds.jsonl')}:2: seeds[0]: the record nests deeper than 100 levels`);
    expect(emulator.stats().createAttempts.openai).toBe(0);
  });
});

describe('TS recipes', () => {
  const TS_RECIPE = `const recipe = {
  name: 'cjs-demo',
  seeds: [{ inline: [{ topic: 'tea' }] }],
  steps: [{ generate: 'q', model: 'openai/gpt-4o-mini', prompt: (r: { topic: string }) => 'Ask about ' + r.topic, schema: { type: 'object', properties: { q: { type: 'string' } } } }],
};
export default recipe;
`;

  it('loads an `export default` recipe in a folder whose package.json is not "type": "module"', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), '{ "name": "not-a-module" }\n');
    writeFileSync(join(dir, 'recipe.ts'), TS_RECIPE);
    const result = await runCli(['validate', 'recipe.ts'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('valid (1 steps: q)');
  });

  it('loads an `export default` recipe in a folder with no package.json at all', async () => {
    const dir = join(tempDir(), 'recipes');
    mkdirSync(dir);
    writeFileSync(join(dir, 'recipe.ts'), TS_RECIPE);
    const result = await runCli(['validate', join(dir, 'recipe.ts')], { cwd: dir });
    expect(result.code).toBe(0);
  });

  it('a recipe calling process.exit(0) while loading cannot make validate succeed', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir, 'exits.ts'), `process.exit(0);\nexport default {};\n`);
    const result = await runCli(['validate', 'exits.ts'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(join(dir, 'exits.ts'));
    expect(result.stderr).toContain('process.exit(0)');
    expect(result.stdout).not.toContain('valid');
  });

  it('a recipe function calling process.exit(0) in the middle of a command does not end it with exit 0', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'exits-later.mts'),
      TS_RECIPE.replace("(r: { topic: string }) => 'Ask about ' + r.topic", '(r: { topic: string }): string => process.exit(0)'),
    );
    const result = await runCli(['plan', 'exits-later.mts'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ended the process with exit code 0 before the command finished');
  });
});

describe('a long recipe description', () => {
  it('is not copied whole into the version README.md and manifest.json', async () => {
    const dir = tempDir();
    const description = `Intro line. ${'lorem ipsum '.repeat(100_000)}THE END`;
    writeFileSync(join(dir, 'r.yaml'), recipeOver("inline: [{ topic: tea }]", `description: "${description}"\n`));
    const result = await runCli(['run', 'r.yaml', '--offline', '--emulator-config', FAST_CONFIG], { cwd: dir });
    expect(result.code).toBe(0);
    const version = join(dir, 'outputs', 'r', 'v1');
    const card = readFileSync(join(version, 'README.md'), 'utf8');
    const manifest = JSON.parse(readFileSync(join(version, 'manifest.json'), 'utf8'));
    expect(card.length).toBeLessThan(20_000);
    expect(card).toContain('Intro line. lorem ipsum');
    expect(card).not.toContain('THE END');
    expect(card).toMatch(/1,200,019 characters/);
    expect(JSON.stringify(manifest).length).toBeLessThan(20_000);
    expect(manifest.description).toMatch(/^Intro line\. lorem ipsum/);
    expect(manifest.description).not.toContain('THE END');
    expect(manifest.description_chars).toBe(description.length);
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { FAST_TIMING } from '../helpers/emulators.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const FAST_CONFIG = JSON.stringify({ faults: { timing: FAST_TIMING } });

const QUESTION_STEP = (prompt: string) =>
  `  - generate: question\n    model: openai/gpt-4o-mini\n    prompt: ${JSON.stringify(prompt)}\n    schema: { type: object, properties: { q: { type: string } }, required: [q] }\n`;

/** Twelve lists of ten values: 10^12 combinations. */
const HUGE_PRODUCT = `  - product:\n${Array.from({ length: 12 }, (_, index) => `      k${index}: [a, b, c, d, e, f, g, h, i, j]\n`).join('')}`;

function recipe(dir: string, seeds: string, steps: string, output = ''): string {
  writeFileSync(join(dir, 'r.yaml'), `name: bounds\nseeds:\n${seeds}steps:\n${steps}${output}`);
  return 'r.yaml';
}

describe('product seeds are counted, not expanded', () => {
  it('validate and plan refuse a product of 10^12 combinations, naming the seed and the count', async () => {
    const dir = tempDir();
    const file = recipe(dir, HUGE_PRODUCT, QUESTION_STEP('{{ k0 }}'));
    const expected = `${join(dir, 'r.yaml')}:3:5: seeds[0]: product has 1,000,000,000,000 combinations (10 × 10 × 10`;
    for (const command of ['validate', 'plan']) {
      const result = await runCli([command, file], { cwd: dir });
      expect(result.stderr).toContain(expected);
      expect(result.stderr).toContain('over the limit of 1,000,000 records');
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(result.code).toBe(2);
    }
    const json = await runCli(['plan', file, '--json'], { cwd: dir });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'seed_product_too_large', message: expect.stringContaining(expected) });
  });

  it('run refuses it before writing a stage file', async () => {
    const dir = tempDir();
    const result = await runCli(['run', recipe(dir, HUGE_PRODUCT, QUESTION_STEP('{{ k0 }}')), '--offline', '--emulator-config', FAST_CONFIG], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('seeds[0]: product has 1,000,000,000,000 combinations');
  });

  it('validate and plan report the record count of a product under the limit', async () => {
    const dir = tempDir();
    const seeds = `${HUGE_PRODUCT}    limit: 40\n  - product: { a: [x, y, z], b: [1, 2] }\n`;
    const file = recipe(dir, seeds, QUESTION_STEP("{{ k0 | default('') }}{{ a | default('') }}"));
    const validate = await runCli(['validate', file, '--json'], { cwd: dir });
    expect(validate.code).toBe(0);
    expect(JSON.parse(validate.stdout).products).toEqual([
      { source: 0, combinations: 1e12, records: 40 },
      { source: 1, combinations: 6, records: 6 },
    ]);
    const plan = await runCli(['plan', file], { cwd: dir });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('bounds: 46 seed records\n  seeds[0]: product of 1,000,000,000,000 combinations → 40 records\n  seeds[1]: product of 6 combinations\n');
  });
});

describe('template renders are bounded', () => {
  it('a loop over range(100000000) fails for its record with a coded error, without a stack', async () => {
    const dir = tempDir();
    const file = recipe(dir, '  - inline: [{ topic: tea }]\n', QUESTION_STEP('{% for i in range(100000000) %}{{ i }}{% endfor %}{{ topic }}'));
    const result = await runCli(['run', file, '--offline', '--emulator-config', FAST_CONFIG, '--json'], { cwd: dir });
    expect(result.code).toBe(2);
    const end = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
    const error = end.error ?? end.summary?.error;
    // The record is quarantined with the render's reason; being the only one, it stops the run (max_error_rate).
    expect(error.code).toBe('error_rate_exceeded');
    expect(error.message).toContain(
      'seeds[0] (inline) record 1: template steps[0].prompt: render limit exceeded: range() of 100,000,000 numbers is over the limit of 100,000',
    );
  });

  it('{{ topic.split }} is an error naming the expression, never the library source', async () => {
    const dir = tempDir();
    const file = recipe(dir, '  - inline: [{ topic: tea }]\n', QUESTION_STEP('About {{ topic.split }}'));
    const result = await runCli(['run', file, '--offline', '--emulator-config', FAST_CONFIG], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"topic.split" is a function or method, not a value');
    expect(result.stderr).not.toMatch(/=>|FunctionValue|args\[0\]/);
  });
});

describe('filter regexes run in linear time', () => {
  it('a catastrophic pattern against a long value finishes', async () => {
    const dir = tempDir();
    const seeds = `  - inline: [{ text: "${'a'.repeat(30_000)}b" }, { text: "aaaa" }]\n`;
    const file = recipe(dir, seeds, '  - filter: { field: text, not_matches: "^(a+)+$" }\n', 'output: { format: raw }\n');
    const result = await runCli(['run', file, '--offline', '--emulator-config', FAST_CONFIG], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\[filter\]: 2 in, 1 kept/);
  });

  it('validate refuses a backreference with the rule path and a coded issue', async () => {
    const dir = tempDir();
    const file = recipe(dir, '  - inline: [{ text: "a a" }]\n', '  - filter: { field: text, not_matches: "(\\\\w+) \\\\1" }\n', 'output: { format: raw }\n');
    const result = await runCli(['validate', file, '--json'], { cwd: dir });
    expect(result.code).toBe(2);
    const issue = JSON.parse(result.stdout).error.issues[0];
    expect(issue).toMatchObject({ line: 5, path: ['steps', 0, 'filter', 'not_matches'], code: 'unsupported_regex' });
    expect(issue.message).toContain('the backreference \\1 cannot run in linear time');
  });
});

describe('control characters from data', () => {
  it('show prints them as escapes; the data file keeps the bytes', async () => {
    const dir = tempDir();
    const topic = 'tea \u001b[2J \u009b2J \r fake \u202eevil';
    const seeds = `  - inline: [{ topic: "tea \\e[2J \\x9b2J \\r fake \\u202eevil" }]\n`;
    const file = recipe(dir, seeds, '  - filter: { field: topic, min_chars: 1 }\n', 'output: { format: raw }\n');
    const run = await runCli(['run', file, '--offline', '--emulator-config', FAST_CONFIG], { cwd: dir });
    expect(run.code).toBe(0);
    const row = JSON.parse(readFileSync(join(dir, 'outputs', 'bounds', 'v1', 'data', 'train-00000-of-00001.jsonl'), 'utf8').split('\n')[0]!);
    expect(row.topic).toBe(topic);
    const show = await runCli(['show', 'bounds', '--samples', '1'], { cwd: dir });
    expect(show.code).toBe(0);
    expect(show.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(show.stdout).toContain('\\u001b[2J \\x9b2J \\r fake \\u202eevil');
  });
});

/** The README explains every exit code of src/errors.ts in its own section, and `--help` points at it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_CODE_MEANINGS, EXIT_CODES, type ExitKind } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

/** The `### Exit codes` section of the README. */
function readmeExitCodesSection(): string {
  const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
  const section = readme.split(/^### Exit codes$/m)[1];
  if (section === undefined) throw new Error('README.md has no "### Exit codes" section');
  return section.split(/^##/m)[0]!;
}

// test/errors.test.ts keeps the table itself equal to EXIT_CODES; this keeps the explanations complete.
describe('exit codes', () => {
  it('the README says when each exit code of src/errors.ts happens', () => {
    const section = readmeExitCodesSection();
    const explained = [...section.matchAll(/^- \*\*(\d+)\*\*: /gm)].map((match) => Number(match[1]));
    expect(explained).toEqual((Object.keys(EXIT_CODES) as ExitKind[]).map((kind) => EXIT_CODES[kind]));
    expect(section).toContain('| exit code | meaning |');
    for (const kind of Object.keys(EXIT_CODES) as ExitKind[]) expect(section).toContain(`| ${EXIT_CODES[kind]} | ${EXIT_CODE_MEANINGS[kind]} |`);
  });

  it('--help says where the exit codes are explained', async () => {
    const result = await runCli(['--help'], { cwd: tempDir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Exit codes:[\s\S]*README\.md, section "Exit codes"/);
  });
});

describe('exit codes of command-line mistakes', () => {
  it.each([
    [['--bogus'], "unknown option '--bogus'"],
    [['bogus'], "unknown command 'bogus'"],
    [['run'], "missing required argument 'recipe'"],
    [['show', 'x', '--samples', '-3'], 'expected a whole number ≥ 0'],
    [['validate', 'a.yaml', 'b.yaml'], 'too many arguments'],
  ])('%j exits 2 (bad input) and says what was wrong', async (args, message) => {
    const result = await runCli(args, { cwd: tempDir() });
    expect(result.stderr).toContain(message);
    expect(result.code).toBe(EXIT_CODES.usage);
  });

  it.each([[['--help']], [['--version']], [['run', '--help']]])('%j still exits 0', async (args) => {
    const result = await runCli(args, { cwd: tempDir() });
    expect(result.code).toBe(EXIT_CODES.ok);
  });
});

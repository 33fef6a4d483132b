/**
 * The `synthforge` executable turns V8's incremental marking off before it loads the command line
 * (src/cli/bin.ts), unless SYNTHFORGE_INCREMENTAL_MARKING=1. Checked on V8's own trace of a real
 * offline run: with the default, the trace shows no marking started at all; with the variable set,
 * the same run starts marking as V8 normally does.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

/** The quickstart run offline under `--trace-incremental-marking`: its exit code and how many markings started. */
function tracedRun(env: Record<string, string>): Promise<{ code: number | null; markings: number; output: string }> {
  const out = join(tempDir(), 'out');
  const args = ['--trace-incremental-marking', CLI, 'run', join(process.cwd(), 'recipes', 'quickstart.yaml'), '--offline', '--out', out];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: tempDir(), env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, markings: output.match(/\[IncrementalMarking\] Start/g)?.length ?? 0, output }));
  });
}

describe('the synthforge executable and V8 marking', () => {
  it('runs a recipe with incremental marking off, and with V8’s default when SYNTHFORGE_INCREMENTAL_MARKING=1', async () => {
    const off = await tracedRun({});
    expect(off.code, off.output).toBe(0);
    expect(off.output).toMatch(/30 rows/);
    expect(off.markings).toBe(0);
    const on = await tracedRun({ SYNTHFORGE_INCREMENTAL_MARKING: '1' });
    expect(on.code, on.output).toBe(0);
    expect(on.markings).toBeGreaterThan(0);
  }, 60_000);
});

/**
 * The `synthforge` executable sets V8's heap growing factor to 3 before it loads the command line
 * (src/cli/bin.ts), unless SYNTHFORGE_HEAP_GROWING=default. Checked on V8's own trace of a real offline
 * run: every limit V8 sets after a full collection then uses factor 3.0; with the variable, V8 picks
 * its own factors, which are not all 3.0.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

/** The factors of the `[HeapController] Limit: … (factor)` lines V8 prints after each full collection. */
function limitFactors(trace: string): string[] {
  return [...trace.matchAll(/\[HeapController\] Limit: .*\(([\d.]+)\)/g)].map((match) => match[1]!);
}

/** The quickstart run offline under `--trace-gc-verbose`, with collections forced as it allocates. */
async function tracedRun(env: Record<string, string>): Promise<{ code: number | null; factors: string[]; output: string }> {
  const out = join(tempDir(), 'out');
  // --gc-interval forces a collection every N allocations, so that even a short run sets limits.
  const nodeArgs = ['--trace-gc-verbose', '--gc-interval=200000'];
  const result = await runCli(['run', join(process.cwd(), 'recipes', 'quickstart.yaml'), '--offline', '--out', out], { cwd: tempDir(), env, nodeArgs });
  const output = result.stdout + result.stderr;
  return { code: result.code, factors: limitFactors(output), output };
}

describe('the synthforge executable and V8 heap growth', () => {
  it('runs a recipe with heap growing factor 3, and with V8’s own factors when SYNTHFORGE_HEAP_GROWING=default', async () => {
    const set = await tracedRun({});
    expect(set.code, set.output.slice(-2000)).toBe(0);
    expect(set.output).toMatch(/30 rows/);
    expect(set.factors.length).toBeGreaterThan(0);
    expect(new Set(set.factors)).toEqual(new Set(['3.0']));
    const own = await tracedRun({ SYNTHFORGE_HEAP_GROWING: 'default' });
    expect(own.code, own.output.slice(-2000)).toBe(0);
    expect(own.factors.length).toBeGreaterThan(0);
    expect(own.factors.some((factor) => factor !== '3.0')).toBe(true);
  }, 90_000);
});

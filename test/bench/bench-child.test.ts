import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { childNodeFlags, runBenchChild } from '../../bench/bench-child.js';
import { compileBench, pointAtDist } from '../../bench/compile-bench.js';
import type { PlanningChildResult } from '../../bench/planning-child.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
afterEach(() => vi.unstubAllEnvs());

describe('benchmark child processes', () => {
  it('runs a child script (compiled against dist/ when it is built) and reads back its result line', () => {
    const dir = tempDir();
    const stage = join(dir, 'stage-00.jsonl');
    const records = [0, 1, 2].map((index) => JSON.stringify({ id: `s0-${index}`, seedId: `s0-${index}`, fields: { topic: `t${index}` }, lineage: [] }));
    writeFileSync(stage, `${records.join('\n')}\n`);
    mkdirSync(join(dir, 'work'));
    const result = runBenchChild<PlanningChildResult>('planning-child.ts', ['--mode=baseline', `--dir=${join(dir, 'work')}`, `--stage=${stage}`, '--n=2']);
    expect(result).toMatchObject({ mode: 'baseline', records: 3, requests: 6 });
    expect(result.stages[0]!.maxRssBytes).toBeGreaterThan(0);
  });

  it('gives every child the CLI’s heap growing factor, then SYNTHFORGE_BENCH_NODE_FLAGS split on spaces', () => {
    expect(childNodeFlags({ SYNTHFORGE_BENCH_NODE_FLAGS: ' --heap-growing-percent=100  --max-semi-space-size=16 ' })).toStrictEqual([
      '--heap-growing-percent=200',
      '--heap-growing-percent=100',
      '--max-semi-space-size=16',
    ]);
    expect(childNodeFlags({})).toStrictEqual(['--heap-growing-percent=200']);
    expect(childNodeFlags({ SYNTHFORGE_HEAP_GROWING: 'default' })).toStrictEqual([]);
    // A flag node does not know ends the child before its script runs: proof that it reached node's command line.
    vi.stubEnv('SYNTHFORGE_BENCH_NODE_FLAGS', '--no-such-node-flag-for-the-test');
    expect(() => runBenchChild('planning-child.ts', ['--mode=baseline'])).toThrow(/--no-such-node-flag-for-the-test/);
  });

  it('reports a failing child with its script and arguments', () => {
    expect(() => runBenchChild('no-such-child.ts', ['--mode=x'])).toThrow(/no-such-child\.ts --mode=x exited with 1:\n[^]*MODULE_NOT_FOUND/);
  });

  it('points the sources\' imports at dist/ and nothing else', () => {
    const code = `import { a } from '../src/engine/a.js';\nimport b from "../src/b.js";\nconst c = await import('../src/c.js');\nimport { d } from './d.js';\nconst text = 'see ../source/';\n`;
    expect(pointAtDist(code)).toBe(`import { a } from '../dist/engine/a.js';\nimport b from "../dist/b.js";\nconst c = await import('../dist/c.js');\nimport { d } from './d.js';\nconst text = 'see ../source/';\n`);
  });

  it('compiles bench/ against dist/ only while dist/ is as new as every source', () => {
    const root = tempDir();
    for (const folder of ['src/engine', 'dist/engine', 'bench']) mkdirSync(join(root, folder), { recursive: true });
    writeFileSync(join(root, 'src/engine/a.ts'), 'export const a: number = 1;\n');
    writeFileSync(join(root, 'dist/engine/a.js'), 'export const a = 1;\n');
    writeFileSync(join(root, 'bench/child.ts'), "import { a } from '../src/engine/a.js';\nconst b: number = a;\nconsole.log(b);\n");
    writeFileSync(join(root, 'bench/types.d.ts'), 'export type T = number;\n');
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'src/engine/a.ts'), past, past);
    const built = compileBench(root);
    expect(built).toEqual({ directory: join(root, '.bench-build') });
    const compiled = readFileSync(join(root, '.bench-build/child.js'), 'utf8');
    expect(compiled).toContain("from '../dist/engine/a.js'");
    expect(compiled).not.toContain(': number');
    expect(existsSync(join(root, '.bench-build/types.d.js'))).toBe(false);
    // A source edited after the last build: the children would measure old code.
    utimesSync(join(root, 'dist/engine/a.js'), new Date(past.getTime() - 60_000), new Date(past.getTime() - 60_000));
    expect(compileBench(root)).toEqual({ stale: join('src', 'engine', 'a.ts') });
  });
});

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBenchChild } from '../../bench/bench-child.js';
import type { PlanningChildResult } from '../../bench/planning-child.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

describe('benchmark child processes', () => {
  it('runs a child script under tsx and reads back its result line', () => {
    const dir = tempDir();
    const stage = join(dir, 'stage-00.jsonl');
    const records = [0, 1, 2].map((index) => JSON.stringify({ id: `s0-${index}`, seedId: `s0-${index}`, fields: { topic: `t${index}` }, lineage: [] }));
    writeFileSync(stage, `${records.join('\n')}\n`);
    mkdirSync(join(dir, 'work'));
    const result = runBenchChild<PlanningChildResult>('planning-child.ts', ['--mode=baseline', `--dir=${join(dir, 'work')}`, `--stage=${stage}`, '--n=2']);
    expect(result).toMatchObject({ mode: 'baseline', records: 3, requests: 6 });
    expect(result.stages[0]!.maxRssBytes).toBeGreaterThan(0);
  });

  it('reports a failing child with its script and arguments', () => {
    expect(() => runBenchChild('no-such-child.ts', ['--mode=x'])).toThrow(/no-such-child\.ts --mode=x exited with 1:\n[^]*ERR_MODULE_NOT_FOUND/);
  });
});

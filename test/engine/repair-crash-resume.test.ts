/**
 * Kill -9 while a repair round is being planned, run the same command again, and check that nothing
 * was sent twice and the dataset equals the one an uninterrupted run wrote, byte for byte.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { useEmulators } from '../helpers/emulators.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

const RECIPE = `name: repaired
seeds:
  - product: { topic: [tea, coffee, cocoa, mate, juice, soda, milk, water], audience: [child, chemist, chef, pilot, poet] }
steps:
  - generate: question
    model: openai/gpt-4o-mini
    max_requests_per_batch: 4
    prompt: "Write a {{ audience }} question about {{ topic }}."
    schema: { type: object, properties: { question: { type: string }, level: { type: integer } }, required: [question, level] }
output:
  format: raw
min_valid_rate: 0
`;
const FAULTS = { timing: { validatingMs: 10, inProgressMs: 20, finalizingMs: 10 }, seed: 5, schemaInvalidRate: 0.3, repairSuccessRate: 0.6 };

function project(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'recipe.yaml'), RECIPE);
  return dir;
}

async function runOnce(dir: string, failpoint?: string) {
  const env: Record<string, string> = { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: emulators.current.openaiBaseURL };
  if (failpoint) env.SYNTHFORGE_FAILPOINT = failpoint;
  return runCli(['run', 'recipe.yaml', '--poll-interval', '10'], { cwd: dir, env });
}

const dataFile = (dir: string) => readFileSync(join(dir, 'outputs', 'repaired', 'v1', 'data', 'train-00000-of-00001.jsonl'));
const manifestSteps = (dir: string) => (JSON.parse(readFileSync(join(dir, 'outputs', 'repaired', 'v1', 'manifest.json'), 'utf8')) as { steps: { counts: Record<string, unknown> }[] }).steps;

describe('crash and resume in a repair round', () => {
  it('killed while a repair round is planned: the rerun sends nothing twice and writes the same dataset and counts', async () => {
    let emulator = await emulators.start({ faults: FAULTS });
    const baselineDir = project();
    expect((await runOnce(baselineDir)).code).toBe(0);
    const baseline = { data: dataFile(baselineDir), stats: emulator.stats(), counts: manifestSteps(baselineDir)[0]!.counts };
    expect((baseline.counts.repair as { valid_after_repair: { total: number } }).valid_after_repair.total).toBeGreaterThan(0);
    await emulator.close();

    emulator = await emulators.start({ faults: FAULTS });
    const dir = project();
    const crashed = await runOnce(dir, 'repairing');
    expect(crashed.signal).toBe('SIGKILL');
    const resumed = await runOnce(dir);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain('resuming run');
    const stats = emulator.stats();
    expect(stats.batchesCreated.openai).toBe(baseline.stats.batchesCreated.openai);
    expect(stats.requestsReceived.openai).toBe(baseline.stats.requestsReceived.openai);
    expect(stats.faultsInjected).toEqual(baseline.stats.faultsInjected);
    expect(dataFile(dir).equals(baseline.data)).toBe(true);
    expect(manifestSteps(dir)[0]!.counts).toEqual(baseline.counts);
  });
});

/**
 * Kill -9 at every phase of a run, run the same command again, and check that nothing was sent
 * twice and the dataset equals the one an uninterrupted run produces, byte for byte.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { useEmulators } from '../helpers/emulators.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

const RECORDS = 150;
const RECIPE = `name: crashy
seeds:
  - jsonl: seeds.jsonl
steps:
  - generate: question
    model: openai/gpt-4o-mini
    n: 2
    max_requests_per_batch: 120
    prompt: "Write a question about {{ topic }}."
    schema: { type: object, properties: { question: { type: string }, level: { type: integer } }, required: [question, level] }
output:
  format: raw
`;

function project(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'recipe.yaml'), RECIPE);
  writeFileSync(join(dir, 'seeds.jsonl'), Array.from({ length: RECORDS }, (_, index) => JSON.stringify({ topic: `subject ${index}` })).join('\n') + '\n');
  return dir;
}

async function runOnce(dir: string, failpoint?: string, collectThreads?: string) {
  const env: Record<string, string> = { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: emulators.current.openaiBaseURL };
  if (failpoint) env.SYNTHFORGE_FAILPOINT = failpoint;
  if (collectThreads) env.SYNTHFORGE_COLLECT_THREADS = collectThreads;
  return runCli(['run', 'recipe.yaml', '--poll-interval', '10'], { cwd: dir, env });
}

const dataFile = (dir: string) => readFileSync(join(dir, 'outputs', 'crashy', 'v1', 'data', 'train-00000-of-00001.jsonl'));
/** The ledger's totals as the manifest shows them: what the provider billed for. */
const ledger = (dir: string) => {
  const { cost } = JSON.parse(readFileSync(join(dir, 'outputs', 'crashy', 'v1', 'manifest.json'), 'utf8')) as { cost: Record<string, number> };
  return { requests: cost.requests, inputTokens: cost.inputTokens, outputTokens: cost.outputTokens };
};
const FAST = { validatingMs: 20, inProgressMs: 40, finalizingMs: 20 };

describe('crash and resume', () => {
  let baseline: { data: Buffer; ledger: ReturnType<typeof ledger> } | undefined;

  async function uninterrupted(): Promise<{ data: Buffer; ledger: ReturnType<typeof ledger> }> {
    if (baseline) return baseline;
    const emulator = await emulators.start({ faults: { timing: FAST } });
    const dir = project();
    const result = await runOnce(dir);
    expect(result.code).toBe(0);
    expect(emulator.stats().batchesCreated.openai).toBe(3);
    baseline = { data: dataFile(dir), ledger: ledger(dir) };
    expect(baseline.ledger.requests).toBeGreaterThan(0);
    await emulator.close();
    return baseline;
  }

  // The last: killed while collect's threads judge the results (the shards are small: threads only when asked for).
  for (const [phase, threads] of [['shard-recorded'], ['batch-created'], ['polling'], ['collecting'], ['writing-output'], ['collecting', '1']] as const) {
    it(`killed at ${phase}${threads ? ` (collect on ${threads} thread)` : ''}: the rerun submits nothing twice and writes the same dataset`, async () => {
      const expected = await uninterrupted();
      const emulator = await emulators.start({ faults: { timing: FAST } });
      const dir = project();
      const crashed = await runOnce(dir, phase, threads);
      expect(crashed.signal).toBe('SIGKILL');
      const resumed = await runOnce(dir, undefined, threads);
      expect(resumed.stderr).toContain('resuming run');
      expect(resumed.code).toBe(0);
      // The batch created just before the kill is found by its metadata, not created again.
      if (phase === 'batch-created') expect(resumed.stderr).toContain('found at the provider after a restart');
      const stats = emulator.stats();
      expect(stats.batchesCreated.openai).toBe(3);
      expect(stats.requestsReceived.openai).toBe(RECORDS * 2);
      expect(stats.seenCustomIds).toBe(RECORDS * 2);
      expect(dataFile(dir).equals(expected.data)).toBe(true);
      // Usage is counted once for every answer, whatever was collected before the kill.
      expect(ledger(dir)).toEqual(expected.ledger);
    });
  }
});

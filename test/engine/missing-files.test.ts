/**
 * A run killed at some phase, then a local file of its state deleted, then the same command again:
 * the run recovers from whatever is missing (re-renders request files, rebuilds keys files, downloads
 * results again) without sending anything twice, or stops with a coded error that names the file.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { useEmulators } from '../helpers/emulators.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

const RECORDS = 150;
// n: 2 sends two requests with the same body per record: rebuilding a keys file must still tell them apart.
const RECIPE = `name: lost
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
const FAST = { validatingMs: 20, inProgressMs: 40, finalizingMs: 20 };

function project(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'recipe.yaml'), RECIPE);
  writeFileSync(join(dir, 'seeds.jsonl'), Array.from({ length: RECORDS }, (_, index) => JSON.stringify({ topic: `subject ${index}` })).join('\n') + '\n');
  return dir;
}

function runOnce(dir: string, failpoint?: string) {
  const env: Record<string, string> = { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: emulators.current.openaiBaseURL };
  if (failpoint) env.SYNTHFORGE_FAILPOINT = failpoint;
  return runCli(['run', 'recipe.yaml', '--poll-interval', '10'], { cwd: dir, env });
}

const dataFile = (dir: string) => readFileSync(join(dir, 'outputs', 'lost', 'v1', 'data', 'train-00000-of-00001.jsonl'));
const ledger = (dir: string) => {
  const { cost } = JSON.parse(readFileSync(join(dir, 'outputs', 'lost', 'v1', 'manifest.json'), 'utf8')) as { cost: Record<string, number> };
  return { requests: cost.requests, inputTokens: cost.inputTokens, outputTokens: cost.outputTokens };
};

function runDir(dir: string): string {
  const runs = join(dir, '.synthforge', 'runs');
  const [run] = readdirSync(runs);
  return join(runs, run!);
}

/** The run's shard files whose names match `pattern`, in name (= shard) order. */
function shardFiles(dir: string, pattern: RegExp): string[] {
  const shards = join(runDir(dir), 'shards');
  return readdirSync(shards)
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => join(shards, name));
}

const REQUESTS = /-\d{4}\.jsonl$/;
const KEYS = /-\d{4}\.keys$/;
const ANSWERS = /\.answers\.jsonl$/;
const INVALID = /\.invalid\.jsonl$/;

function remove(paths: string[]): void {
  expect(paths.length).toBeGreaterThan(0);
  for (const path of paths) rmSync(path, { recursive: true });
}

describe('files missing locally', () => {
  let baseline: { data: Buffer; ledger: ReturnType<typeof ledger> } | undefined;

  async function uninterrupted(): Promise<{ data: Buffer; ledger: ReturnType<typeof ledger> }> {
    if (baseline) return baseline;
    const emulator = await emulators.start({ faults: { timing: FAST } });
    const dir = project();
    const result = await runOnce(dir);
    expect(result.code).toBe(0);
    expect(emulator.stats().batchesCreated.openai).toBe(3);
    baseline = { data: dataFile(dir), ledger: ledger(dir) };
    await emulator.close();
    return baseline;
  }

  /** Kills a run at `phase`, deletes what `damage` names, runs again: nothing is sent twice, same dataset. */
  async function recovers(phase: string, damage: (dir: string) => void): Promise<string> {
    const expected = await uninterrupted();
    const emulator = await emulators.start({ faults: { timing: FAST } });
    const dir = project();
    const crashed = await runOnce(dir, phase);
    expect(crashed.signal).toBe('SIGKILL');
    damage(dir);
    const resumed = await runOnce(dir);
    expect(resumed.stderr).not.toMatch(/ENOENT|internal error|\n\s+at /);
    expect(resumed.code).toBe(0);
    const stats = emulator.stats();
    expect(stats.batchesCreated.openai).toBe(3);
    expect(stats.requestsReceived.openai).toBe(RECORDS * 2);
    expect(dataFile(dir).equals(expected.data)).toBe(true);
    expect(ledger(dir)).toEqual(expected.ledger);
    return resumed.stderr;
  }

  describe('a planned shard (never submitted)', () => {
    it('whose request file is gone: it is rendered again from the step input', async () => {
      const stderr = await recovers('shard-recorded', (dir) => remove(shardFiles(dir, REQUESTS)));
      expect(stderr).toContain('its request file was missing; rendered it again from stage-00.jsonl');
    });

    it('whose keys file is gone: it is rebuilt from the request file', async () => {
      const stderr = await recovers('shard-recorded', (dir) => remove(shardFiles(dir, KEYS)));
      expect(stderr).toContain('its keys file was missing; rebuilt it from its request file');
    });

    it('whose request and keys files are both gone: its requests are planned again', async () => {
      const stderr = await recovers('shard-recorded', (dir) => remove([...shardFiles(dir, REQUESTS), ...shardFiles(dir, KEYS)]));
      expect(stderr).toMatch(/shard \S+ was never sent and its request and keys files are gone: its requests are planned again/);
    });
  });

  describe('submitted shards', () => {
    it('whose request files are gone: collected without them', async () => {
      await recovers('polling', (dir) => remove(shardFiles(dir, REQUESTS)));
    });

    it('whose keys files are gone: rebuilt from the request files, never resubmitted', async () => {
      const stderr = await recovers('polling', (dir) => remove(shardFiles(dir, KEYS)));
      expect(stderr).toContain('its keys file was missing; rebuilt it from its request file');
    });
  });

  describe('collected shards', () => {
    it('whose answers and invalid files are gone: the results are downloaded again, no second ledger entry', async () => {
      const stderr = await recovers('shards-collected', (dir) => remove([...shardFiles(dir, ANSWERS), ...shardFiles(dir, INVALID)]));
      expect(stderr.match(/its answer files were missing; downloaded its results again/g)).toHaveLength(3);
    });

    it('whose keys files are gone: rebuilt from the request files', async () => {
      const stderr = await recovers('shards-collected', (dir) => remove(shardFiles(dir, KEYS)));
      expect(stderr.match(/its keys file was missing; rebuilt it/g)).toHaveLength(3);
    });

    it('whose results the provider no longer has: a coded error names the shard and what to do', async () => {
      await emulators.start({ faults: { timing: FAST } });
      const dir = project();
      expect((await runOnce(dir, 'shards-collected')).signal).toBe('SIGKILL');
      const [answers] = shardFiles(dir, ANSWERS);
      remove([answers!]);
      // A new emulator knows none of the batches: as if the provider had deleted the results.
      const fresh = await emulators.start({ faults: { timing: FAST } });
      const resumed = await runOnce(dir);
      expect(resumed.code).toBe(1);
      expect(resumed.stderr).toMatch(/shard run-\S+-s0-0000: .* is gone and openai no longer returns the results of batch \S+/);
      expect(resumed.stderr).toContain(answers!);
      expect(resumed.stderr).toContain('--fresh');
      expect(resumed.stderr).not.toMatch(/ENOENT|internal error|\n\s+at /);
      expect(fresh.stats().batchesCreated.openai).toBe(0);
    });

    it('whose request and keys files are all gone: a coded error names the file, nothing is sent', async () => {
      const emulator = await emulators.start({ faults: { timing: FAST } });
      const dir = project();
      expect((await runOnce(dir, 'shards-collected')).signal).toBe('SIGKILL');
      const sent = emulator.stats().requestsReceived.openai;
      const keys = shardFiles(dir, KEYS);
      remove([join(runDir(dir), 'shards')]);
      const resumed = await runOnce(dir);
      expect(resumed.code).toBe(1);
      expect(resumed.stderr).toMatch(/shard run-\S+-s0-\d{4}: .* is gone and cannot be rebuilt: its batch \S+ was sent/);
      expect(resumed.stderr).toContain(keys[0]!);
      expect(resumed.stderr).toContain('--fresh');
      expect(resumed.stderr).not.toMatch(/ENOENT|internal error|\n\s+at /);
      expect(emulator.stats().requestsReceived.openai).toBe(sent);
      expect(emulator.stats().batchesCreated.openai).toBe(3);
    });
  });

  it('keys files of a retry round gone: each round is rebuilt from the requests it could have sent', async () => {
    // Every third line errors on its first attempt: round 1 sends those again, under the same bodies.
    const faults = { timing: FAST, seed: 11, lineErrorRate: 0.3 };
    const reference = await emulators.start({ faults });
    const clean = project();
    expect((await runOnce(clean)).code).toBe(0);
    const expected = { data: dataFile(clean), ledger: ledger(clean), sent: reference.stats().requestsReceived.openai };
    expect(expected.sent).toBeGreaterThan(RECORDS * 2);
    await reference.close();

    const emulator = await emulators.start({ faults });
    const dir = project();
    expect((await runOnce(dir, 'shards-collected')).signal).toBe('SIGKILL');
    const keys = shardFiles(dir, KEYS);
    expect(keys.some((path) => /round1/.test(path))).toBe(true);
    remove(keys);
    const resumed = await runOnce(dir);
    expect(resumed.stderr).not.toMatch(/ENOENT|internal error|\n\s+at /);
    expect(resumed.code).toBe(0);
    expect(emulator.stats().requestsReceived.openai).toBe(expected.sent);
    expect(dataFile(dir).equals(expected.data)).toBe(true);
    expect(ledger(dir)).toEqual(expected.ledger);
  });

  describe('stage files', () => {
    it('the seed stage and the step keys file gone before emitting: read and rendered again', async () => {
      await recovers('shards-collected', (dir) => {
        const stage = join(runDir(dir), 'stage-00.jsonl');
        remove([stage, stage.replace(/\.jsonl$/, '.step0-keys.jsonl')]);
      });
    });

    it('the finished step output gone while writing the dataset: the step emits it again', async () => {
      await recovers('writing-output', (dir) => {
        const stage = join(runDir(dir), 'stage-01.jsonl');
        expect(existsSync(stage)).toBe(true);
        remove([stage]);
      });
    });
  });
});

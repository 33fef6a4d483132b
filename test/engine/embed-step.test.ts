import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/api/run-recipe.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const FAST = { validatingMs: 5, inProgressMs: 10, finalizingMs: 5 };

const TEXTS = [
  'My router drops the wifi connection every evening around eight',
  'My router drops the wifi connection every evening around nine',
  'How do I reset the password of my cable modem',
  'The mesh satellite shows a red light after the firmware update',
];

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  for (let index = 0; index < a.length; index++) dot += a[index]! * b[index]!;
  return dot;
}

describe('embed step', () => {
  it('embeds a field through OpenAI batch embeddings, vector per record, near-identical texts close', async () => {
    const dir = tempDir();
    const summary = await runRecipe(
      {
        name: 'embedded',
        seeds: [{ inline: TEXTS.map((text) => ({ text })) }],
        steps: [{ embed: 'vector', model: 'openai/text-embedding-3-small', input: 'text', dimensions: 64 }],
      },
      { cwd: dir, offline: true, env: {}, emulator: { faults: { timing: FAST } }, pollIntervalMs: { initial: 5, max: 20 } },
    );
    expect(summary.status).toBe('completed');
    expect(summary.steps[0]).toMatchObject({ kind: 'embed', provider: 'openai', counts: { succeeded: 4 } });
    expect(summary.cost.outputTokens).toBe(0);
    expect(summary.cost.inputTokens).toBeGreaterThan(0);
    const rows = readFileSync(join(dir, 'outputs', 'embedded', 'v1', 'data', 'train-00000-of-00001.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { text: string; vector: number[] });
    expect(rows.map((row) => row.text)).toEqual(TEXTS);
    for (const row of rows) {
      expect(row.vector).toHaveLength(64);
      expect(cosine(row.vector, row.vector)).toBeCloseTo(1, 5);
    }
    expect(cosine(rows[0]!.vector, rows[1]!.vector)).toBeGreaterThan(0.8);
    expect(cosine(rows[0]!.vector, rows[2]!.vector)).toBeLessThan(0.5);
  });

  it('rejects a provider without batch embeddings', async () => {
    const dir = tempDir();
    await expect(
      runRecipe({ name: 'x', seeds: [{ inline: [{ text: 'a' }] }], steps: [{ embed: 'v', model: 'anthropic/claude-haiku-4-5', input: 'text' }] }, { cwd: dir, offline: true, env: {} }),
    ).rejects.toThrow(/anthropic has no batch embeddings/);
  });
});

describe('embed step after a crash', () => {
  it('resumes offline after kill -9 while polling: exact counts, one batch, vectors intact', async () => {
    const { writeFileSync } = await import('node:fs');
    const { runCli } = await import('../helpers/cli.js');
    const { RunStore } = await import('../../src/store/run-store.js');
    const dir = tempDir();
    const texts = Array.from({ length: 120 }, (_, index) => ({ text: `support ticket number ${index} about a ${index % 2 ? 'router' : 'modem'} problem` }));
    writeFileSync(join(dir, 'corpus.jsonl'), texts.map((item) => JSON.stringify(item)).join('\n') + '\n');
    writeFileSync(join(dir, 'embed.yaml'), 'name: vectors\nseeds:\n  - jsonl: corpus.jsonl\nsteps:\n  - embed: vector\n    model: openai/text-embedding-3-small\n    input: text\n    dimensions: 16\n');
    const config = JSON.stringify({ faults: { timing: { validatingMs: 20, inProgressMs: 300, finalizingMs: 20 } } });
    const args = ['run', 'embed.yaml', '--offline', '--poll-interval', '10', '--emulator-config', config];
    const crashed = await runCli(args, { cwd: dir, env: { SYNTHFORGE_FAILPOINT: 'polling' } });
    expect(crashed.signal).toBe('SIGKILL');
    const resumed = await runCli(args, { cwd: dir });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain('resuming run');
    const store = new RunStore(join(dir, '.synthforge'));
    const [run] = store.listRuns(1);
    const shards = store.shardsOfRun(run!.id);
    store.close();
    expect(shards).toHaveLength(1);
    expect(shards[0]).toMatchObject({ kind: 'embedding', requestCount: 120, status: 'collected' });
    const rows = readFileSync(join(dir, 'outputs', 'vectors', 'v1', 'data', 'train-00000-of-00001.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { vector: number[] });
    expect(rows).toHaveLength(120);
    for (const row of rows) expect(row.vector).toHaveLength(16);
  });
});

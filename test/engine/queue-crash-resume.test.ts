/**
 * Kill -9 right after a shard whose batch was refused for a full queue went back to planned, run the
 * same command again: the run completes with every sample at its first attempt, and no batch is created
 * for a shard that already has one (the refused batch is never adopted, nothing runs twice).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useEmulators } from '../helpers/emulators.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

const RECORDS = 60;
const RECIPE = `name: requeued
seeds:
  - jsonl: seeds.jsonl
max_attempts: 1
steps:
  - generate: question
    model: openai/gpt-4o-mini
    max_requests_per_batch: 10
    prompt: "Write a question about {{ topic }}."
    schema: { type: object, properties: { question: { type: string } }, required: [question] }
output:
  format: raw
`;

describe('a shard requeued for a full queue survives kill -9', () => {
  it('resumes, sends the requeued shard again once, and completes with every sample at attempt 1', async () => {
    // Batches stay queued long enough that the shards created together meet a full queue even on a
    // loaded machine, where creates sent at once can land 150 ms apart and find the queue emptied.
    const emulator = await emulators.start({ faults: { timing: { validatingMs: 5, inProgressMs: 1_000, finalizingMs: 5 } }, limits: { openaiMaxEnqueuedTokens: 350 } });
    const dir = tempDir();
    writeFileSync(join(dir, 'recipe.yaml'), RECIPE);
    writeFileSync(join(dir, 'seeds.jsonl'), Array.from({ length: RECORDS }, (_, index) => `{"topic": "topic number ${index}"}`).join('\n') + '\n');
    // The engine is told no limit, so it learns the emulator's from refusals.
    const env = { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: emulator.openaiBaseURL, SYNTHFORGE_QUEUE_LIMITS: 'openai=none' };
    const crashed = await runCli(['run', 'recipe.yaml', '--poll-interval', '10'], { cwd: dir, env: { ...env, SYNTHFORGE_FAILPOINT: 'shard-requeued' } });
    expect(crashed.signal).toBe('SIGKILL');
    const refusedBeforeKill = emulator.stats().queue.refused.openai;
    expect(refusedBeforeKill).toBeGreaterThan(0);

    const resumed = await runCli(['run', 'recipe.yaml', '--poll-interval', '10'], { cwd: dir, env });
    expect(resumed.stderr).toContain('resuming run');
    expect(resumed.code).toBe(0);
    const stats = emulator.stats();
    // Six shards, each accepted exactly once; every other batch was one the emulator refused.
    expect(stats.batchesCreated.openai).toBe(6 + stats.queue.refused.openai);
    expect(stats.requestsReceived.openai).toBe(RECORDS);
    expect(stats.seenCustomIds).toBe(RECORDS);
    expect(stats.queue.peak['openai/gpt-4o-mini']).toBeLessThanOrEqual(350);
    const lineage = readFileSync(join(dir, 'outputs', 'requeued', 'v1', 'lineage.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { steps: { attempt: number }[] });
    expect(lineage).toHaveLength(RECORDS);
    expect(lineage.every((row) => row.steps.every((entry) => entry.attempt === 1))).toBe(true);
  });
});

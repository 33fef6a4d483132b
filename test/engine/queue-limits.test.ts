/**
 * Queue-aware submission end to end: a recipe whose shards together pass the emulator's queue limit
 * (each one fits alone) completes with every sample, spends no attempt on a refusal for a full queue,
 * and never has more queued at the emulator than its limit, whether the engine knows the limit (it
 * keeps under it) or not (it learns from the refusals and requeues).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRecipe } from '../../src/api/run-recipe.js';
import type { EmulatorLimits } from '../../src/emulator/core/emulator-options.js';
import type { RunEvent } from '../../src/engine/run-events.js';
import { RunStore } from '../../src/store/run-store.js';
import { emulatorEnv, FAST_TIMING, useEmulators } from '../helpers/emulators.js';
import { readJsonlFile } from '../helpers/read-jsonl-file.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

const RECORDS = 60;
const QUESTION = { type: 'object', properties: { question: { type: 'string' } }, required: ['question'] };

function recipe(model: string, queueLimits: Record<string, number | 'none'>) {
  return {
    name: 'queued',
    seeds: [{ inline: Array.from({ length: RECORDS }, (_, index) => ({ topic: `topic number ${index}` })) }],
    // One attempt: a refusal that spent an attempt would leave samples missing.
    max_attempts: 1,
    queue_limits: queueLimits,
    steps: [{ generate: 'question', model, max_tokens: 64, max_requests_per_batch: 10, prompt: 'Write a question about {{ topic }}.', schema: QUESTION }],
  };
}

/**
 * Batches that stay queued long enough for the shards submitted together to meet in the queue, even
 * on a loaded machine where the creates of one wave can lie a few hundred milliseconds apart.
 */
const OVERLAPPING = { validatingMs: 5, inProgressMs: 800, finalizingMs: 5 };

async function run(model: string, queueLimits: Record<string, number | 'none'>, limits: Partial<EmulatorLimits>, timing = FAST_TIMING) {
  const emulator = await emulators.start({ faults: { timing }, limits });
  const dir = tempDir();
  const events: RunEvent[] = [];
  const summary = await runRecipe(recipe(model, queueLimits), {
    cwd: dir,
    env: emulatorEnv(emulator),
    pollIntervalMs: { initial: 5, max: 20 },
    onEvent: (event) => events.push(event),
  });
  const store = new RunStore(join(dir, '.synthforge'));
  const shards = store.shardsOfRun(summary.runId);
  const requeued = shards.flatMap((shard) => store.requeuedBatches(shard.id));
  store.close();
  const lineage = readJsonlFile(join(dir, 'outputs', 'queued', 'v1', 'lineage.jsonl')) as { steps: { attempt?: number }[] }[];
  return { summary, events, stats: emulator.stats(), shards, requeued, lineage };
}

/** Every sample valid at its first attempt: one round of shards, nothing retried. */
function expectEverySampleFirstTry(result: Awaited<ReturnType<typeof run>>): void {
  expect(result.summary.status).toBe('completed');
  expect(result.summary.samples).toMatchObject({ requested: RECORDS, valid: RECORDS, invalid: {} });
  expect(result.summary.steps[0]!.counts.retried ?? 0).toBe(0);
  expect(result.shards.every((shard) => shard.round === 0 && shard.status === 'collected')).toBe(true);
  expect(result.lineage).toHaveLength(RECORDS);
  expect(result.lineage.flatMap((row) => row.steps.map((entry) => entry.attempt))).toEqual(Array(RECORDS).fill(1));
}

describe('queue-aware submission', () => {
  it('keeps an OpenAI model under the enqueued-token limit it was told, with no batch refused', async () => {
    const result = await run('openai/gpt-4o-mini', { 'openai/gpt-4o-mini': 400 }, { openaiMaxEnqueuedTokens: 400 }, OVERLAPPING);
    expectEverySampleFirstTry(result);
    expect(result.stats.queue.refused.openai).toBe(0);
    expect(result.stats.queue.peak['openai/gpt-4o-mini']).toBeGreaterThan(0);
    expect(result.stats.queue.peak['openai/gpt-4o-mini']).toBeLessThanOrEqual(400);
    // Shards were cut to fit the room (90% of 400 by the engine's estimate) and waited for each other.
    expect(result.shards.length).toBeGreaterThan(RECORDS / 10);
    const waits = result.events.filter((event) => event.type === 'queue-wait');
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0]).toMatchObject({ queue: 'openai/gpt-4o-mini', unit: 'input_tokens', limit: 400, room: 360 });
  });

  it('learns an OpenAI limit it was not told from token_limit_exceeded failures and requeues without spending attempts', async () => {
    const result = await run('openai/gpt-4o-mini', { openai: 'none' }, { openaiMaxEnqueuedTokens: 350 }, OVERLAPPING);
    expectEverySampleFirstTry(result);
    expect(result.shards).toHaveLength(6);
    expect(result.stats.queue.refused.openai).toBeGreaterThan(0);
    expect(result.stats.queue.peak['openai/gpt-4o-mini']).toBeLessThanOrEqual(350);
    // Each refused batch was created, failed, and its shard sent again; the store keeps the refused ids.
    expect(result.requeued).toHaveLength(result.stats.queue.refused.openai);
    expect(result.stats.batchesCreated.openai).toBe(6 + result.stats.queue.refused.openai);
    expect(result.stats.requestsReceived.openai).toBe(RECORDS);
    const requeues = result.events.filter((event) => event.type === 'shard-requeue');
    expect(requeues).toHaveLength(result.stats.queue.refused.openai);
    expect((requeues[0] as { message: string }).message).toContain('token_limit_exceeded: Enqueued token limit reached for gpt-4o-mini');
  });

  it('waits out Anthropic 429s for a full processing queue without spending attempts', async () => {
    const result = await run('anthropic/claude-haiku-4-5', { anthropic: 'none' }, { anthropicMaxQueuedRequests: 25 }, OVERLAPPING);
    expectEverySampleFirstTry(result);
    expect(result.stats.queue.refused.anthropic).toBeGreaterThan(0);
    expect(result.stats.queue.peak.anthropic).toBeLessThanOrEqual(25);
    expect(result.stats.batchesCreated.anthropic).toBe(6);
  });

  it('keeps Anthropic under a processing-queue limit it was told, counted in requests', async () => {
    const result = await run('anthropic/claude-haiku-4-5', { anthropic: 25 }, { anthropicMaxQueuedRequests: 25 }, OVERLAPPING);
    expectEverySampleFirstTry(result);
    expect(result.stats.queue.refused.anthropic).toBe(0);
    expect(result.stats.queue.peak.anthropic).toBeLessThanOrEqual(25);
  });

  it('waits out Gemini 429 RESOURCE_EXHAUSTED for enqueued tokens without spending attempts', async () => {
    const result = await run('gemini/gemini-2.5-flash', { gemini: 'none' }, { geminiMaxEnqueuedTokens: 250 }, OVERLAPPING);
    expectEverySampleFirstTry(result);
    expect(result.stats.queue.refused.gemini).toBeGreaterThan(0);
    expect(result.stats.queue.peak['gemini/gemini-2.5-flash']).toBeLessThanOrEqual(250);
    expect(result.stats.batchesCreated.gemini).toBe(6);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FaultOptions } from '../../src/emulator/emulator.js';
import { runRecipe } from '../../src/api/run-recipe.js';
import type { RunEvent } from '../../src/engine/run-events.js';
import { FAST_TIMING, useEmulators } from '../helpers/emulators.js';
import { readJsonlFile } from '../helpers/read-jsonl-file.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const emulators = useEmulators();


function recipe(overrides: { max_attempts?: number; records?: number; n?: number } = {}) {
  const records = Array.from({ length: overrides.records ?? 20 }, (_, index) => ({ topic: `topic number ${index}` }));
  return {
    name: 'e2e',
    seeds: [{ inline: records }],
    max_attempts: overrides.max_attempts ?? 1,
    // These tests count injected faults exactly, however many there are: never stop on too few valid samples.
    min_valid_rate: 0,
    steps: [
      {
        generate: 'question',
        model: 'openai/gpt-4o-mini',
        n: overrides.n ?? 2,
        prompt: 'Write a question about {{ topic }}.',
        schema: { type: 'object', properties: { question: { type: 'string' }, level: { type: 'integer', minimum: 1, maximum: 5 } }, required: ['question', 'level'] },
      },
    ],
  };
}

/** Runs against a standalone emulator reached through OPENAI_BASE_URL, as a real run would. */
async function runAgainstEmulator(faults: Partial<FaultOptions>, overrides: Parameters<typeof recipe>[0] = {}) {
  const emulator = await emulators.start({ faults: { timing: FAST_TIMING, ...faults } });
  const dir = tempDir();
  const events: RunEvent[] = [];
  const summary = await runRecipe(recipe(overrides), {
    cwd: dir,
    env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: emulator.openaiBaseURL },
    pollIntervalMs: { initial: 5, max: 20 },
    onEvent: (event) => events.push(event),
  });
  return { summary, dir, events, stats: emulator.stats() };
}


describe('runRecipe end to end through the OpenAI SDK and the emulator', () => {
  it('writes every valid sample in seed order with a manifest, though results come back shuffled', async () => {
    const { summary, dir, stats } = await runAgainstEmulator({});
    expect(summary.status).toBe('completed');
    expect(summary.samples).toMatchObject({ requested: 40, valid: 40, sent: 40, cached: 0, invalid: {} });
    expect(stats.batchesCreated.openai).toBe(1);
    const version = join(dir, 'outputs', 'e2e', 'v1');
    const rows = readJsonlFile(join(version, 'data', 'train-00000-of-00001.jsonl'));
    expect(rows.map((row) => row.id)).toEqual(Array.from({ length: 20 }, (_, index) => [`s0-${String(index).padStart(6, '0')}.0`, `s0-${String(index).padStart(6, '0')}.1`]).flat());
    expect(rows[0]).toMatchObject({ topic: 'topic number 0' });
    expect(typeof rows[0]!.question).toBe('string');
    const manifest = JSON.parse(readFileSync(join(version, 'manifest.json'), 'utf8'));
    expect(manifest.steps[0]).toMatchObject({ name: 'question', provider: 'openai', model: 'gpt-4o-mini', counts: { requested: 40, succeeded: 40 } });
    expect(manifest.batches).toHaveLength(1);
    expect(manifest.batches[0].batch_id).toBe(summary.batches[0]);
    expect(JSON.stringify(manifest)).not.toContain('sk-test');
  });

  it('counts malformed JSON, schema violations and per-line errors exactly as the emulator injected them', async () => {
    const { summary, stats } = await runAgainstEmulator({ seed: 11, malformedJsonRate: 0.15, schemaInvalidRate: 0.15, lineErrorRate: 0.15 }, { records: 40 });
    const injected = stats.faultsInjected;
    expect(injected.malformedJson).toBeGreaterThan(0);
    expect(injected.schemaInvalid).toBeGreaterThan(0);
    expect(injected.lineError).toBeGreaterThan(0);
    expect(summary.samples.invalid).toEqual({ not_json: injected.malformedJson, schema_violation: injected.schemaInvalid, provider_error: injected.lineError });
    expect(summary.samples.valid).toBe(80 - injected.malformedJson - injected.schemaInvalid - injected.lineError);
    expect(summary.output!.rows).toBe(summary.samples.valid);
    const counts = summary.steps[0]!.counts;
    expect(counts.invalid!.schema_violation!.examples[0]).toMatch(/: /);
  });

  it('retries invalid samples in new shards up to max_attempts and counts first-try and retried successes', async () => {
    const { summary, stats } = await runAgainstEmulator({ seed: 5, malformedJsonRate: 0.2, lineErrorRate: 0.2 }, { max_attempts: 3 });
    const counts = summary.steps[0]!.counts;
    expect(counts.retried).toBeGreaterThan(0);
    expect((counts.firstTry ?? 0) + (counts.retried ?? 0)).toBe(summary.samples.valid);
    const invalidTotal = Object.values(summary.samples.invalid).reduce((sum, count) => sum + count, 0);
    expect(summary.samples.valid + invalidTotal).toBe(40);
    // Every attempt went to the provider once: first round 40, then only the failures.
    expect(stats.requestsReceived.openai).toBe(counts.sent);
    expect(stats.batchesCreated.openai).toBeGreaterThanOrEqual(2);
    expect(stats.batchesCreated.openai).toBeLessThanOrEqual(3);
  });

  it('keeps the finished half of an expired batch and counts the rest as expired', async () => {
    const { summary, stats } = await runAgainstEmulator({ expireRate: 1 });
    expect(stats.faultsInjected.expiredLines).toBeGreaterThan(0);
    expect(summary.samples.invalid).toEqual({ expired: stats.faultsInjected.expiredLines });
    expect(summary.samples.valid).toBe(40 - stats.faultsInjected.expiredLines);
  });

  it('waits out a 429 and reconciles an ambiguous 500 on create without creating a second batch', async () => {
    const { summary, stats, events } = await runAgainstEmulator({ createErrors: [429, 500] });
    expect(summary.status).toBe('completed');
    expect(summary.samples.valid).toBe(40);
    expect(stats.createAttempts.openai).toBe(3);
    expect(stats.batchesCreated.openai).toBe(1);
    expect(events.filter((event) => event.type === 'retry-wait').map((event) => (event as { operation: string }).operation)).toEqual(['submit', 'submit']);
  });

  it('stops before doing anything when the key is missing and not offline', async () => {
    const dir = tempDir();
    await expect(runRecipe(recipe(), { cwd: dir, env: {} })).rejects.toThrow(/OPENAI_API_KEY.*--offline/);
  });

  it('runs offline with the in-process emulator and no key at all', async () => {
    const dir = tempDir();
    const summary = await runRecipe(recipe(), { cwd: dir, env: {}, offline: true, emulator: { faults: { timing: FAST_TIMING } }, pollIntervalMs: { initial: 5, max: 20 } });
    expect(summary).toMatchObject({ status: 'completed', offline: true, samples: { valid: 40 } });
  });
});

import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/emulator.js';
import type { BatchItemResult } from '../../src/providers/batch-provider.js';
import { ProviderApiError } from '../../src/providers/errors.js';
import { OpenAIBatchProvider } from '../../src/providers/openai/openai-batch-provider.js';
import { compileOutputSchema } from '../../src/schema/output-schema.js';
import { makeRequests, pollUntilDone, QA_SCHEMA, writeShard } from '../helpers/shard-file.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { FAST_TIMING, useEmulators } from '../helpers/emulators.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

async function setup(faults: Parameters<typeof startEmulator>[0] extends infer O ? (O extends { faults?: infer F } ? F : never) : never = {}) {
  const emulator = await emulators.start({ faults: { timing: FAST_TIMING, ...faults } });
  const provider = new OpenAIBatchProvider({ apiKey: 'test-key', baseURL: emulator.openaiBaseURL, maxRetries: 1, timeoutMs: 10_000 });
  return { emulator, provider };
}

async function collect(iterable: AsyncIterable<BatchItemResult>): Promise<BatchItemResult[]> {
  const results: BatchItemResult[] = [];
  for await (const result of iterable) results.push(result);
  return results;
}

describe('OpenAIBatchProvider against the emulator', () => {
  it('uploads, creates with run and shard metadata, polls to completion and maps every line back', async () => {
    const { provider, emulator } = await setup();
    const requests = makeRequests(25);
    const handle = await provider.submit(writeShard(tempDir(), provider, requests));
    expect(handle.batchId).toMatch(/^batch_/);
    const status = await pollUntilDone(provider, handle);
    expect(status).toMatchObject({ state: 'ended', rawStatus: 'completed', counts: { total: 25, completed: 25, failed: 0 } });
    const results = await collect(provider.results(handle));
    expect(results).toHaveLength(25);
    // Results come back shuffled: never rely on order, map by custom_id.
    expect(results.map((result) => result.customId)).not.toEqual(requests.map((request) => request.customId));
    expect(new Set(results.map((result) => result.customId))).toEqual(new Set(requests.map((request) => request.customId)));
    const schema = compileOutputSchema('qa', QA_SCHEMA);
    for (const result of results) {
      expect(result.outcome).toBe('succeeded');
      if (result.outcome !== 'succeeded') continue;
      expect(schema.validate(JSON.parse(result.text)).ok).toBe(true);
      expect(result.usage!.inputTokens).toBeGreaterThan(0);
    }
    expect(emulator.stats()).toMatchObject({ filesUploaded: 1, batchesCreated: { openai: 1 } });
  });

  it('finds a batch it created by metadata (reconciliation after a crash) and not a foreign one', async () => {
    const { provider } = await setup();
    const dir = tempDir();
    const shard = writeShard(dir, provider, makeRequests(3), 'shard-a');
    const submittedAfter = Date.now();
    const handle = await provider.submit(shard);
    const found = await provider.findSubmitted({ ...shard, submittedAfter, knownBatchIds: new Set() });
    expect(found?.batchId).toBe(handle.batchId);
    const other = writeShard(dir, provider, makeRequests(3), 'shard-b');
    expect(await provider.findSubmitted({ ...other, submittedAfter, knownBatchIds: new Set() })).toBeUndefined();
  });

  it('reports a 500 on create as ambiguous and sends it exactly once', async () => {
    const { provider, emulator } = await setup({ createErrors: [500] });
    const error = await provider.submit(writeShard(tempDir(), provider, makeRequests(2))).catch((caught: unknown) => caught);
    expect(ProviderApiError.isInstance(error)).toBe(true);
    expect((error as ProviderApiError).details).toMatchObject({ operation: 'create', statusCode: 500, retryable: true, ambiguous: true });
    expect(emulator.stats().createAttempts.openai).toBe(1);
    expect(emulator.stats().batchesCreated.openai).toBe(0);
  });

  it('reports a 429 on create as retryable but not ambiguous (nothing was created)', async () => {
    const { provider } = await setup({ createErrors: [429] });
    const error = (await provider.submit(writeShard(tempDir(), provider, makeRequests(2))).catch((caught: unknown) => caught)) as ProviderApiError;
    expect(error.details).toMatchObject({ statusCode: 429, retryable: true, ambiguous: false });
    expect(error.code).toBe('provider_queue_full');
    expect(error.details.retryAfterMs).toBeGreaterThan(0);
  });

  it('maps per-line errors, refusals, truncation and malformed JSON to results', async () => {
    const { provider } = await setup({ seed: 3, lineErrorRate: 0.2, refusalRate: 0.2, truncationRate: 0.2, malformedJsonRate: 0.2 });
    const handle = await provider.submit(writeShard(tempDir(), provider, makeRequests(60)));
    await pollUntilDone(provider, handle);
    const results = await collect(provider.results(handle));
    expect(results).toHaveLength(60);
    const errored = results.filter((result) => result.outcome === 'errored');
    expect(errored.length).toBeGreaterThan(0);
    for (const result of errored) if (result.outcome === 'errored') expect(result.error).toMatchObject({ status: 500, retryable: true });
    const refusals = results.filter((result) => result.outcome === 'succeeded' && result.refusal);
    expect(refusals.length).toBeGreaterThan(0);
    const truncated = results.filter((result) => result.outcome === 'succeeded' && result.finishReason === 'length');
    expect(truncated.length).toBeGreaterThan(0);
    const unparseable = results.filter((result) => {
      if (result.outcome !== 'succeeded' || result.refusal) return false;
      try {
        JSON.parse(result.text);
        return false;
      } catch {
        return true;
      }
    });
    expect(unparseable.length).toBeGreaterThan(truncated.length - 1);
  });

  it('keeps the finished results of an expired batch and reports the rest as expired', async () => {
    const { provider } = await setup({ expireRate: 1 });
    const handle = await provider.submit(writeShard(tempDir(), provider, makeRequests(20)));
    const status = await pollUntilDone(provider, handle);
    expect(status).toMatchObject({ state: 'ended', rawStatus: 'expired' });
    const results = await collect(provider.results(handle));
    expect(results).toHaveLength(20);
    const succeeded = results.filter((result) => result.outcome === 'succeeded').length;
    const expired = results.filter((result) => result.outcome === 'expired').length;
    expect(succeeded).toBeGreaterThan(0);
    expect(expired).toBeGreaterThan(0);
    expect(succeeded + expired).toBe(20);
  });

  it('reports a batch that failed validation with its errors', async () => {
    const { provider } = await setup({ failValidationRate: 1 });
    const handle = await provider.submit(writeShard(tempDir(), provider, makeRequests(2)));
    const status = await pollUntilDone(provider, handle);
    expect(status.state).toBe('failed');
    expect(status.errors?.[0]?.code).toBe('token_limit_exceeded');
    expect(await collect(provider.results(handle))).toEqual([]);
  });

  it('reports a batch failed over the enqueued-token limit as failed for a full queue, and never finds it again by metadata', async () => {
    const emulator = await emulators.start({ faults: { timing: { validatingMs: 5, inProgressMs: 60_000, finalizingMs: 5 } }, limits: { openaiMaxEnqueuedTokens: 60 } });
    const provider = new OpenAIBatchProvider({ apiKey: 'test-key', baseURL: emulator.openaiBaseURL, maxRetries: 1, timeoutMs: 10_000 });
    const dir = tempDir();
    const first = await provider.submit(writeShard(dir, provider, makeRequests(2), 'shard-a'));
    const shard = writeShard(dir, provider, makeRequests(3), 'shard-b');
    const submittedAfter = Date.now();
    const refused = await provider.submit(shard);
    const status = await pollUntilDone(provider, refused);
    expect(status).toMatchObject({ state: 'failed', failure: 'queue_full' });
    expect(status.errors?.[0]?.message).toMatch(/^Enqueued token limit reached for gpt-4o-mini in organization org-emulator\. Limit: 60 enqueued tokens\./);
    expect((await provider.poll(first)).state).toBe('running');
    // The refused batch carries the shard's metadata; once the store knows its id, a lookup skips it.
    expect((await provider.findSubmitted({ ...shard, submittedAfter, knownBatchIds: new Set() }))?.batchId).toBe(refused.batchId);
    expect(await provider.findSubmitted({ ...shard, submittedAfter, knownBatchIds: new Set([refused.batchId]) })).toBeUndefined();
    expect(emulator.stats().queue).toMatchObject({ refused: { openai: 1 } });
  });

  it('reports a batch failed validation for another reason as input_rejected, not queue_full', async () => {
    const { provider } = await setup();
    const requests = makeRequests(2).map((request) => ({ ...request, customId: 'same-id' }));
    const handle = await provider.submit(writeShard(tempDir(), provider, requests));
    const status = await pollUntilDone(provider, handle);
    expect(status).toMatchObject({ state: 'failed', errors: [{ code: 'duplicate_custom_id' }] });
    expect(status.failure).toBe('input_rejected');
  });

  it('cancels a running batch', async () => {
    // Cancelling lasts finalizingMs: long enough that the cancel call itself sees `cancelling`.
    const emulator = await emulators.start({ faults: { timing: { validatingMs: 5, inProgressMs: 60_000, finalizingMs: 500 } } });
    const provider = new OpenAIBatchProvider({ apiKey: 'k', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
    const handle = await provider.submit(writeShard(tempDir(), provider, makeRequests(4)));
    const status = await provider.cancel(handle);
    expect(status.rawStatus).toBe('cancelling');
    const final = await pollUntilDone(provider, handle);
    expect(final).toMatchObject({ state: 'ended', rawStatus: 'cancelled' });
  });

  it('encodes one JSONL line per request with the strict response_format and the batch endpoint', () => {
    const provider = new OpenAIBatchProvider({ apiKey: 'k' });
    const line = JSON.parse(provider.capabilities.encodeRequest(makeRequests(1)[0]!));
    expect(line).toMatchObject({ custom_id: 'req-0000', method: 'POST', url: '/v1/chat/completions' });
    expect(line.body).toMatchObject({ model: 'gpt-4o-mini', temperature: 1, max_completion_tokens: 200 });
    expect(line.body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'qa', strict: true } });
    expect(line.body.response_format.json_schema.schema.additionalProperties).toBe(false);
  });
});

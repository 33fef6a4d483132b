import { describe, expect, it } from 'vitest';
import type { EmulatorServer, FaultOptions } from '../../src/emulator/emulator.js';
import { AnthropicBatchProvider } from '../../src/providers/anthropic/anthropic-batch-provider.js';
import type { BatchItemResult } from '../../src/providers/batch-provider.js';
import { ProviderApiError } from '../../src/providers/errors.js';
import { compileOutputSchema } from '../../src/schema/output-schema.js';
import { makeRequests, pollUntilDone, QA_SCHEMA, writeShard } from '../helpers/shard-file.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { FAST_TIMING, useEmulators } from '../helpers/emulators.js';

const tempDir = useTempDirs();
const emulators = useEmulators();

async function setup(faults: Partial<FaultOptions> = {}) {
  const emulator = await emulators.start({ faults: { timing: FAST_TIMING, ...faults } });
  const provider = new AnthropicBatchProvider({ apiKey: 'test-key', baseURL: emulator.anthropicBaseURL, maxRetries: 1, timeoutMs: 10_000 });
  return { emulator, provider };
}

async function collect(iterable: AsyncIterable<BatchItemResult>): Promise<BatchItemResult[]> {
  const results: BatchItemResult[] = [];
  for await (const result of iterable) results.push(result);
  return results;
}

const anthropicRequests = (count: number, mode: 'native' | 'tool' = 'native') =>
  makeRequests(count, 'claude-haiku-4-5').map((request) => ({ ...request, output: { ...request.output!, mode } }));

describe('AnthropicBatchProvider against the emulator', () => {
  for (const mode of ['native', 'tool'] as const) {
    it(`runs a batch end to end with ${mode === 'native' ? 'output_config JSON outputs' : 'a forced tool'}`, async () => {
      const { provider, emulator } = await setup();
      const requests = anthropicRequests(12, mode);
      const handle = await provider.submit(writeShard(tempDir(), provider, requests));
      expect(handle.batchId).toMatch(/^msgbatch_/);
      const status = await pollUntilDone(provider, handle);
      expect(status).toMatchObject({ state: 'ended', rawStatus: 'ended', counts: { total: 12, completed: 12, failed: 0 } });
      const results = await collect(provider.results(handle));
      expect(new Set(results.map((result) => result.customId))).toEqual(new Set(requests.map((request) => request.customId)));
      const schema = compileOutputSchema('qa', QA_SCHEMA);
      for (const result of results) {
        if (result.outcome !== 'succeeded') throw new Error(`unexpected ${result.outcome}`);
        expect(schema.validate(JSON.parse(result.text)).ok).toBe(true);
        if (mode === 'tool') expect(result.finishReason).toBe('tool_use');
      }
      expect(emulator.stats().batchesCreated.anthropic).toBe(1);
    });
  }

  it('moves system messages to `system` and the schema to output_config', () => {
    const provider = new AnthropicBatchProvider({ apiKey: 'k' });
    const line = JSON.parse(provider.capabilities.encodeRequest(anthropicRequests(1)[0]!));
    expect(line.custom_id).toBe('req-0000');
    expect(line.params.system).toBe('You write quiz questions.');
    expect(line.params.messages).toEqual([{ role: 'user', content: 'Write question number 0 about tea.' }]);
    expect(line.params).toMatchObject({ model: 'claude-haiku-4-5', max_tokens: 200, temperature: 1 });
    expect(line.params.output_config.format.type).toBe('json_schema');
    expect(line.params.output_config.format.schema.additionalProperties).toBe(false);
    const tool = JSON.parse(provider.capabilities.encodeRequest(anthropicRequests(1, 'tool')[0]!));
    expect(tool.params.tool_choice).toMatchObject({ type: 'tool', name: 'qa' });
    expect(tool.params.tools[0].input_schema.properties.question.type).toBe('string');
  });

  it('maps errored, expired and canceled results to the same outcomes as OpenAI', async () => {
    const { provider } = await setup({ seed: 2, lineErrorRate: 0.3, expireRate: 1 });
    const handle = await provider.submit(writeShard(tempDir(), provider, anthropicRequests(30)));
    await pollUntilDone(provider, handle);
    const results = await collect(provider.results(handle));
    const outcomes = new Set(results.map((result) => result.outcome));
    expect(outcomes).toEqual(new Set(['succeeded', 'errored', 'expired']));
    for (const result of results) if (result.outcome === 'errored') expect(result.error).toMatchObject({ code: 'api_error', retryable: true });
  });

  it('cancels: canceling, then ended with canceled results', async () => {
    const emulator = await emulators.start({ faults: { timing: { validatingMs: 5, inProgressMs: 60_000, finalizingMs: 300 } } });
    const provider = new AnthropicBatchProvider({ apiKey: 'k', baseURL: emulator.anthropicBaseURL, maxRetries: 0 });
    const handle = await provider.submit(writeShard(tempDir(), provider, anthropicRequests(5)));
    expect((await provider.cancel(handle)).rawStatus).toBe('canceling');
    await pollUntilDone(provider, handle);
    const results = await collect(provider.results(handle));
    expect(results.every((result) => result.outcome === 'canceled' || result.outcome === 'succeeded')).toBe(true);
    expect(results.some((result) => result.outcome === 'canceled')).toBe(true);
  });

  it('treats an invalid request as a non-retryable error', async () => {
    const { provider } = await setup();
    const request = { ...anthropicRequests(1)[0]!, messages: [] };
    const handle = await provider.submit(writeShard(tempDir(), provider, [request]));
    await pollUntilDone(provider, handle);
    const [result] = await collect(provider.results(handle));
    expect(result).toMatchObject({ outcome: 'errored', error: { code: 'invalid_request_error', retryable: false } });
  });

  it('creates with no SDK retry: a 500 is reported once, as ambiguous', async () => {
    const { provider, emulator } = await setup({ createErrors: [500] });
    const error = (await provider.submit(writeShard(tempDir(), provider, anthropicRequests(2))).catch((caught: unknown) => caught)) as ProviderApiError;
    expect(ProviderApiError.isInstance(error)).toBe(true);
    expect(error.details).toMatchObject({ statusCode: 500, ambiguous: true });
    expect(emulator.stats().createAttempts.anthropic).toBe(1);
  });

  // A lookup runs in a process that restarted after a crash: a fresh adapter, which never takes a batch
  // it created itself for another shard's.
  const restarted = (emulator: EmulatorServer, options: { reconcileWaitMs?: number } = {}) =>
    new AnthropicBatchProvider({ apiKey: 'test-key', baseURL: emulator.anthropicBaseURL, maxRetries: 1, timeoutMs: 10_000, reconcileWaitMs: 20, ...options });

  it('reconciles by creation window and request count, skipping batches already known', async () => {
    const { provider, emulator } = await setup();
    const dir = tempDir();
    const submittedAfter = Date.now();
    const shard = writeShard(dir, provider, anthropicRequests(4), 'a');
    const handle = await provider.submit(shard);
    const otherSize = writeShard(dir, provider, anthropicRequests(3), 'b');
    await provider.submit(otherSize);
    expect((await restarted(emulator).findSubmitted({ ...shard, submittedAfter, knownBatchIds: new Set() }))?.batchId).toBe(handle.batchId);
    expect(await restarted(emulator).findSubmitted({ ...shard, submittedAfter, knownBatchIds: new Set([handle.batchId]) })).toBeUndefined();
    expect(await restarted(emulator).findSubmitted({ ...shard, submittedAfter: submittedAfter - 3_600_000, knownBatchIds: new Set() })).toBeUndefined();
  });

  it('tells two same-sized candidates apart by the custom_ids in their results', async () => {
    const { provider, emulator } = await setup();
    const dir = tempDir();
    const submittedAfter = Date.now();
    const mine = writeShard(dir, provider, anthropicRequests(3), 'mine');
    const handle = await provider.submit(mine);
    const other = anthropicRequests(6).slice(3).map((request, index) => ({ ...request, customId: `other-${index}` }));
    const otherHandle = await provider.submit(writeShard(dir, provider, other, 'other'));
    await pollUntilDone(provider, handle);
    await pollUntilDone(provider, otherHandle);
    expect((await restarted(emulator).findSubmitted({ ...mine, submittedAfter, knownBatchIds: new Set() }))?.batchId).toBe(handle.batchId);
  });

  /** Two same-sized shards whose batches a crash left unrecorded, still running. */
  async function twoRunningBatches() {
    const emulator = await emulators.start({ faults: { timing: { validatingMs: 5, inProgressMs: 400, finalizingMs: 5 } } });
    const crashed = restarted(emulator);
    const dir = tempDir();
    const submittedAfter = Date.now();
    const first = writeShard(dir, crashed, anthropicRequests(3), 'first');
    const second = writeShard(dir, crashed, anthropicRequests(6).slice(3), 'second');
    const firstBatch = (await crashed.submit(first)).batchId;
    const secondBatch = (await crashed.submit(second)).batchId;
    const lookup = (shard: typeof first) => ({ ...shard, submittedAfter, knownBatchIds: new Set<string>() });
    return { emulator, first: lookup(first), second: lookup(second), firstBatch, secondBatch };
  }

  it('waits for same-sized candidates that are still running to end, then tells them apart (no bogus 503)', async () => {
    const { emulator, first, second, firstBatch, secondBatch } = await twoRunningBatches();
    const provider = restarted(emulator);
    const [foundFirst, foundSecond] = await Promise.all([provider.findSubmitted(first), provider.findSubmitted(second)]);
    expect(foundFirst?.batchId).toBe(firstBatch);
    expect(foundSecond?.batchId).toBe(secondBatch);
    expect(emulator.stats().batchesCreated.anthropic).toBe(2);
  });

  it('never takes a batch this process created for another shard as the one a crash lost', async () => {
    const emulator = await emulators.start({ faults: { timing: { validatingMs: 5, inProgressMs: 60_000, finalizingMs: 5 } } });
    const dir = tempDir();
    const submittedAfter = Date.now();
    const crashed = restarted(emulator);
    const lost = writeShard(dir, crashed, anthropicRequests(3), 'lost');
    const lostBatch = (await crashed.submit(lost)).batchId;
    // The resumed run submits a sibling shard of the same size while it looks the lost one up; the
    // store's known batches were read before the sibling's id was recorded.
    const provider = restarted(emulator);
    const sibling = writeShard(dir, provider, anthropicRequests(6).slice(3), 'sibling');
    const knownBatchIds = new Set<string>();
    await provider.submit(sibling);
    expect((await provider.findSubmitted({ ...lost, submittedAfter, knownBatchIds }))?.batchId).toBe(lostBatch);
  });

  it('gives one batch to one lookup only, when two same-sized shards look at once', async () => {
    const emulator = await emulators.start({ faults: { timing: { validatingMs: 5, inProgressMs: 60_000, finalizingMs: 5 } } });
    const dir = tempDir();
    const submittedAfter = Date.now();
    const crashed = restarted(emulator);
    const first = writeShard(dir, crashed, anthropicRequests(3), 'first');
    const second = writeShard(dir, crashed, anthropicRequests(6).slice(3), 'second');
    const batch = (await crashed.submit(first)).batchId;
    const provider = restarted(emulator);
    const found = await Promise.all([first, second].map((shard) => provider.findSubmitted({ ...shard, submittedAfter, knownBatchIds: new Set() })));
    expect(found.map((handle) => handle?.batchId)).toEqual([batch, undefined]);
  });

  it('reports a failing list as a coded provider error, not an SDK exception', async () => {
    const { emulator } = await setup({ listErrors: [500, 500] });
    const shard = writeShard(tempDir(), restarted(emulator), anthropicRequests(2));
    const error = await restarted(emulator).findSubmitted({ ...shard, submittedAfter: Date.now(), knownBatchIds: new Set() }).catch((caught: unknown) => caught);
    expect(ProviderApiError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'provider_api', message: expect.stringContaining('anthropic list failed (HTTP 500)'), details: { operation: 'list', retryable: true } });
  });

  it('reports a create refused for a full processing queue (429) or overload (529) as queue-full: nothing created, not ambiguous', async () => {
    const emulator = await emulators.start({ faults: { timing: { validatingMs: 5, inProgressMs: 60_000, finalizingMs: 5 } }, limits: { anthropicMaxQueuedRequests: 5 } });
    const provider = new AnthropicBatchProvider({ apiKey: 'test-key', baseURL: emulator.anthropicBaseURL, maxRetries: 1, timeoutMs: 10_000 });
    const dir = tempDir();
    await provider.submit(writeShard(dir, provider, anthropicRequests(3), 'shard-a'));
    const full = (await provider.submit(writeShard(dir, provider, anthropicRequests(3), 'shard-b')).catch((caught: unknown) => caught)) as ProviderApiError;
    expect(full.code).toBe('provider_queue_full');
    expect(full.details).toMatchObject({ operation: 'create', statusCode: 429, retryable: true, ambiguous: false });
    expect(full.details.retryAfterMs).toBeGreaterThan(0);
    expect(full.message).toContain('over its limit of 5');
    emulator.configure({ createErrors: [529] });
    const overloaded = (await provider.submit(writeShard(dir, provider, anthropicRequests(1), 'shard-c')).catch((caught: unknown) => caught)) as ProviderApiError;
    expect(overloaded.code).toBe('provider_queue_full');
    expect(overloaded.details).toMatchObject({ statusCode: 529, ambiguous: false });
    expect(emulator.stats()).toMatchObject({ batchesCreated: { anthropic: 1 }, queue: { refused: { anthropic: 1 }, peak: { anthropic: 3 } } });
  });
});

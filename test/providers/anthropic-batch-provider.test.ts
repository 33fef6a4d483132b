import { describe, expect, it } from 'vitest';
import type { FaultOptions } from '../../src/emulator/emulator.js';
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

  it('reconciles by creation window and request count, skipping batches already known', async () => {
    const { provider } = await setup();
    const dir = tempDir();
    const submittedAfter = Date.now();
    const shard = writeShard(dir, provider, anthropicRequests(4), 'a');
    const handle = await provider.submit(shard);
    const otherSize = writeShard(dir, provider, anthropicRequests(3), 'b');
    await provider.submit(otherSize);
    expect((await provider.findSubmitted({ ...shard, submittedAfter, knownBatchIds: new Set() }))?.batchId).toBe(handle.batchId);
    expect(await provider.findSubmitted({ ...shard, submittedAfter, knownBatchIds: new Set([handle.batchId]) })).toBeUndefined();
    expect(await provider.findSubmitted({ ...shard, submittedAfter: submittedAfter - 3_600_000, knownBatchIds: new Set() })).toBeUndefined();
  });

  it('tells two same-sized candidates apart by the custom_ids in their results', async () => {
    const { provider } = await setup();
    const dir = tempDir();
    const submittedAfter = Date.now();
    const mine = writeShard(dir, provider, anthropicRequests(3), 'mine');
    const handle = await provider.submit(mine);
    const other = anthropicRequests(6).slice(3).map((request, index) => ({ ...request, customId: `other-${index}` }));
    const otherHandle = await provider.submit(writeShard(dir, provider, other, 'other'));
    await pollUntilDone(provider, handle);
    await pollUntilDone(provider, otherHandle);
    expect((await provider.findSubmitted({ ...mine, submittedAfter, knownBatchIds: new Set() }))?.batchId).toBe(handle.batchId);
  });
});

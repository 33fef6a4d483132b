import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchItemResult } from '../../src/providers/batch-provider.js';
import { OpenAICompatibleProvider } from '../../src/providers/openai-compatible/openai-compatible-provider.js';
import { compileOutputSchema } from '../../src/schema/output-schema.js';
import { makeRequests, pollUntilDone, QA_SCHEMA, writeShard } from '../helpers/shard-file.js';
import { useEmulators } from '../helpers/emulators.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const emulators = useEmulators();
let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function collect(iterable: AsyncIterable<BatchItemResult>): Promise<BatchItemResult[]> {
  const results: BatchItemResult[] = [];
  for await (const result of iterable) results.push(result);
  return results;
}

const localRequests = (count: number) => makeRequests(count, 'llama-3.1-8b-instruct');

describe('OpenAICompatibleProvider (synchronous chat completions behind the batch interface)', () => {
  it('runs a shard through /v1/chat/completions and reports it like a batch', async () => {
    const emulator = await emulators.start();
    const provider = new OpenAICompatibleProvider({ baseURL: emulator.openaiCompatibleBaseURL, concurrency: 4 });
    const requests = localRequests(10);
    const handle = await provider.submit(writeShard(tempDir(), provider, requests));
    expect(await pollUntilDone(provider, handle)).toMatchObject({ state: 'ended', counts: { total: 10, completed: 10, failed: 0 } });
    const results = await collect(provider.results(handle));
    const schema = compileOutputSchema('qa', QA_SCHEMA);
    expect(results).toHaveLength(10);
    for (const result of results) {
      if (result.outcome !== 'succeeded') throw new Error(result.outcome);
      expect(schema.validate(JSON.parse(result.text)).ok).toBe(true);
    }
    expect(emulator.stats().chatCompletions).toBe(10);
    // Samples of the same prompt differ: the request key travels in a header.
    const texts = new Set(results.map((result) => (result.outcome === 'succeeded' ? result.text : '')));
    expect(texts.size).toBe(10);
  });

  it('retries 429 (honouring Retry-After) and 5xx until they succeed', async () => {
    const emulator = await emulators.start({ faults: { seed: 4, syncErrorRate: 0.5 } });
    const provider = new OpenAICompatibleProvider({ baseURL: emulator.openaiCompatibleBaseURL, concurrency: 3, retryBaseMs: 1, maxAttempts: 10 });
    const handle = await provider.submit(writeShard(tempDir(), provider, localRequests(12)));
    await pollUntilDone(provider, handle);
    const results = await collect(provider.results(handle));
    expect(results.filter((result) => result.outcome === 'succeeded')).toHaveLength(12);
    expect(emulator.stats().faultsInjected.syncErrors).toBeGreaterThan(0);
    expect(emulator.stats().chatCompletions).toBe(12 + emulator.stats().faultsInjected.syncErrors);
  });

  it('gives up after maxAttempts and reports a retryable error', async () => {
    const emulator = await emulators.start({ faults: { syncErrorRate: 1 } });
    const provider = new OpenAICompatibleProvider({ baseURL: emulator.openaiCompatibleBaseURL, retryBaseMs: 1, maxAttempts: 2 });
    const handle = await provider.submit(writeShard(tempDir(), provider, localRequests(1)));
    await pollUntilDone(provider, handle);
    const [result] = await collect(provider.results(handle));
    expect(result).toMatchObject({ outcome: 'errored', error: { retryable: true } });
  });

  it('never has more requests in flight than its concurrency', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    server = createServer((request, response) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      request.resume();
      request.on('end', () =>
        setImmediate(() => {
          inFlight--;
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: '{"question":"hello there","level":"easy"}' } }] }));
        }),
      );
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const provider = new OpenAICompatibleProvider({ baseURL: `http://127.0.0.1:${port}/v1`, concurrency: 3 });
    const handle = await provider.submit(writeShard(tempDir(), provider, localRequests(20)));
    await pollUntilDone(provider, handle);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(3);
  });

  it('resumes a shard from its results file without asking answered requests again', async () => {
    const emulator = await emulators.start();
    const dir = tempDir();
    const first = new OpenAICompatibleProvider({ baseURL: emulator.openaiCompatibleBaseURL, concurrency: 1 });
    const shard = writeShard(dir, first, localRequests(6));
    const handle = await first.submit(shard);
    await pollUntilDone(first, handle);
    const resultsFile = `${shard.inputPath}.results.jsonl`;
    expect(existsSync(resultsFile)).toBe(true);
    // Simulate a crash after three answers: keep three lines (and a torn fourth).
    const lines = readFileSync(resultsFile, 'utf8').split('\n').filter(Boolean);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(resultsFile, `${lines.slice(0, 3).join('\n')}\n${lines[3]!.slice(0, 10)}`);
    const before = emulator.stats().chatCompletions;
    const second = new OpenAICompatibleProvider({ baseURL: emulator.openaiCompatibleBaseURL });
    const found = await second.findSubmitted({ ...shard, submittedAfter: Date.now(), knownBatchIds: new Set() });
    expect(found?.batchId).toBe(handle.batchId);
    await pollUntilDone(second, found!);
    expect(emulator.stats().chatCompletions - before).toBe(3);
    expect(await collect(second.results(found!))).toHaveLength(6);
  });
});

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI, { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FAULTS, mergeFaultOptions } from '../../src/emulator/core/emulator-options.js';
import { decideLineFault } from '../../src/emulator/core/fault-decisions.js';
import { lineIdentity } from '../../src/emulator/core/line-identity.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import {
  anthropicRequest,
  batchLine,
  chatBody,
  createOpenAIBatch,
  readOpenAIFile,
  rejectionOf,
  useEmulators,
} from './emulator-harness.js';

const start = useEmulators();
const tempDir = useTempDirs();
const lines = (count: number) => Array.from({ length: count }, (_, index) => batchLine(`rec-${index}-s0`, chatBody(index)));

describe('persistence on a dataDir', () => {
  it('serves earlier files and batches after a restart, and keeps the lifecycle going', async () => {
    const dataDir = tempDir();
    const timing = { validatingMs: 1000, inProgressMs: 4000, finalizingMs: 1000 };
    const first = await start({ dataDir, faults: { timing } });
    const created = await createOpenAIBatch(first, lines(6));
    const anthropicBatch = await first.anthropic.messages.batches.create({ requests: [anthropicRequest('a-0'), anthropicRequest('a-1')] });
    await first.server.idle();
    first.clock.advance(2000);
    expect((await first.openai.batches.retrieve(created.id)).status).toBe('in_progress');
    await first.server.close();

    const second = await start({ dataDir, clock: first.clock.now });
    expect(await second.openai.files.retrieve(created.input_file_id)).toMatchObject({ id: created.input_file_id, purpose: 'batch' });
    expect((await second.openai.batches.retrieve(created.id)).status).toBe('in_progress');
    first.clock.advance(10_000);
    const done = await second.openai.batches.retrieve(created.id);
    expect(done.status).toBe('completed');
    expect(await readOpenAIFile(second.openai, done.output_file_id)).toHaveLength(6);
    const ended = await second.anthropic.messages.batches.retrieve(anthropicBatch.id);
    expect(ended.request_counts.succeeded).toBe(2);
    expect(second.server.stats().seenCustomIds).toBe(8);
    await second.server.close();

    const third = await start({ dataDir, clock: first.clock.now });
    const again = await third.openai.batches.retrieve(created.id);
    expect(again).toMatchObject({ status: 'completed', output_file_id: done.output_file_id, completed_at: done.completed_at });
    const [page] = (await third.openai.batches.list()).data;
    expect(page?.id).toBe(created.id);
  });

  it('re-runs a batch whose results were not written before the restart, with the same attempt numbers', async () => {
    const dataDir = tempDir();
    const faults = { seed: 4, lineErrorRate: 0.5 };
    const first = await start({ dataDir, faults });
    const created = await createOpenAIBatch(first, lines(20));
    await first.server.idle();
    await first.server.close();
    // Simulate a crash while the lines were being answered: the staged results are lost.
    const recordPath = join(dataDir, 'openai-batches', `${created.id}.json`);
    const record = JSON.parse(readFileSync(recordPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(recordPath, JSON.stringify({ ...record, run: null, final: null }));
    rmSync(join(dataDir, 'openai-batches', `${created.id}.staged`), { force: true });

    const second = await start({ dataDir });
    await second.settle();
    const done = await second.openai.batches.retrieve(created.id);
    expect(done.status).toBe('completed');
    const options = mergeFaultOptions(DEFAULT_FAULTS, faults);
    const failed = (await readOpenAIFile(second.openai, done.error_file_id)).map((line) => line.custom_id).sort();
    // Decided by what each line asks (its body), not by its custom_id.
    const expected = Array.from({ length: 20 }, (_, index) => index)
      .filter((index) => decideLineFault(options, lineIdentity(JSON.stringify(chatBody(index))), 0) === 'line_error')
      .map((index) => `rec-${index}-s0`);
    expect(failed).toEqual(expected.sort());
    expect(second.server.stats().seenCustomIds).toBe(20);
  });
});

describe('control endpoints for a standalone emulator', () => {
  it('serves stats and accepts fault options over HTTP', async () => {
    const harness = await start();
    const configured = await fetch(`${harness.server.url}/_emulator/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lineErrorRate: 1, timing: { finalizingMs: 5 } }),
    });
    expect(configured.status).toBe(200);
    expect(await configured.json()).toMatchObject({ faults: { lineErrorRate: 1, timing: { validatingMs: 30, inProgressMs: 60, finalizingMs: 5 } } });
    const batch = await createOpenAIBatch(harness, lines(3));
    await harness.settle();
    const done = await harness.openai.batches.retrieve(batch.id);
    expect(done.request_counts).toEqual({ total: 3, completed: 0, failed: 3 });
    const stats = await (await fetch(`${harness.server.url}/_emulator/stats`)).json();
    expect(stats).toEqual(harness.server.stats());
    expect(stats).toMatchObject({ filesUploaded: 1, batchesCreated: { openai: 1 }, requestsReceived: { openai: 3 }, faultsInjected: { lineError: 3 } });
    const debug = await (await fetch(`${harness.server.url}/_emulator/batches/${batch.id}`)).json();
    expect(debug).toMatchObject({ provider: 'openai', status: 'completed', faults: { lineError: 3 } });
    const refused = await fetch(`${harness.server.url}/_emulator/config`, { method: 'POST', body: JSON.stringify({ lineErrorRate: 2 }) });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: 'emulator_options_invalid' } });
    expect(() => harness.server.configure({ refusalRate: 0.6, truncationRate: 0.6 })).toThrow(/must be ≤ 1/);
  });

  it('exposes the base URLs each SDK expects', async () => {
    const harness = await start();
    expect(harness.server.url).toBe(`http://127.0.0.1:${harness.server.port}`);
    expect(harness.server.openaiBaseURL).toBe(`${harness.server.url}/v1`);
    expect(harness.server.anthropicBaseURL).toBe(harness.server.url);
    const client = new OpenAI({ apiKey: 'k', baseURL: harness.server.openaiBaseURL, maxRetries: 0 });
    const missing = await rejectionOf<APIError>(client.batches.retrieve('batch_nope'));
    expect(missing.status).toBe(404);
    expect(missing.requestID).toMatch(/^req_/);
  });
});

describe('queue limits of the emulator', () => {
  it('count a batch from the moment it is accepted: creates sent together never pass the limit between them', async () => {
    const { startEmulator } = await import('../../src/emulator/emulator.js');
    const emulator = await startEmulator({ limits: { anthropicMaxQueuedRequests: 25 }, faults: { timing: { validatingMs: 5, inProgressMs: 60_000, finalizingMs: 5 } } });
    try {
      const create = (batch: number) =>
        fetch(`${emulator.url}/v1/messages/batches`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
          body: JSON.stringify({ requests: Array.from({ length: 10 }, (_, index) => ({ custom_id: `b${batch}r${index}`, params: { model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] } })) }),
        }).then((response) => response.status);
      const statuses = await Promise.all([0, 1, 2, 3, 4, 5].map(create));
      // 10 requests each under a limit of 25: two are accepted, whatever the order the creates finish in.
      expect(statuses.filter((status) => status === 200)).toHaveLength(2);
      expect(statuses.filter((status) => status === 429)).toHaveLength(4);
      expect(emulator.stats().queue.peak.anthropic).toBe(20);
    } finally {
      await emulator.close();
    }
  });

  it('are off by default, read from the environment, overridden by options, and refuse what is not a whole number', async () => {
    const { mergeLimits, queueLimitsFromEnv } = await import('../../src/emulator/core/emulator-options.js');
    const { startEmulator } = await import('../../src/emulator/emulator.js');
    expect(mergeLimits()).toMatchObject({ openaiMaxEnqueuedTokens: 0, anthropicMaxQueuedRequests: 0, geminiMaxEnqueuedTokens: 0 });
    const env = { SYNTHFORGE_EMULATOR_OPENAI_ENQUEUED_TOKENS: '2000000', SYNTHFORGE_EMULATOR_ANTHROPIC_QUEUED_REQUESTS: '100000' };
    expect(queueLimitsFromEnv(env)).toEqual({ openaiMaxEnqueuedTokens: 2_000_000, anthropicMaxQueuedRequests: 100_000 });
    expect(() => queueLimitsFromEnv({ SYNTHFORGE_EMULATOR_GEMINI_ENQUEUED_TOKENS: '3M' })).toThrow('SYNTHFORGE_EMULATOR_GEMINI_ENQUEUED_TOKENS must be a whole number of tokens ≥ 0 (0: no limit), got "3M"');
    expect(() => mergeLimits({ openaiMaxRequests: 0 })).toThrow(/openaiMaxRequests must be a positive integer/);
    const emulator = await startEmulator({ env, limits: { anthropicMaxQueuedRequests: 7 } });
    try {
      const response = await fetch(`${emulator.url}/v1/messages/batches`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ requests: Array.from({ length: 8 }, (_, index) => ({ custom_id: `r${index}`, params: { model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] } })) }),
      });
      expect(response.status).toBe(429);
      expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', message: expect.stringContaining('over its limit of 7') } });
    } finally {
      await emulator.close();
    }
  });
});

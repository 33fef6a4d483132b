import { BadRequestError, NotFoundError, toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import { batchLine, chatBody, jsonl, runOpenAIBatch, uploadBatchFile, useEmulators, type Harness } from './emulator-harness.js';

const start = useEmulators();

async function failedErrors(harness: Harness, lines: string[]) {
  const batch = await runOpenAIBatch(harness, lines);
  expect(batch.status).toBe('failed');
  expect(batch.failed_at).not.toBeNull();
  expect(batch.output_file_id).toBeNull();
  expect(batch.request_counts).toEqual({ total: 0, completed: 0, failed: 0 });
  return batch.errors?.data ?? [];
}

describe('OpenAI batch input validation (asynchronous: create succeeds, the batch fails)', () => {
  it('reports invalid JSON lines with their line numbers', async () => {
    const harness = await start();
    const errors = await failedErrors(harness, [batchLine('a', chatBody(0)), '{"custom_id": "b", ', batchLine('c', chatBody(2))]);
    expect(errors).toEqual([{ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', param: null, line: 2 }]);
  });

  it('reports a missing custom_id, a duplicate custom_id, a method other than POST and a url mismatch', async () => {
    const harness = await start();
    const errors = await failedErrors(harness, [
      JSON.stringify({ method: 'POST', url: '/v1/chat/completions', body: chatBody(0) }),
      batchLine('dup', chatBody(1)),
      batchLine('dup', chatBody(2)),
      batchLine('get', chatBody(3), { method: 'GET' }),
      batchLine('url', chatBody(4), { url: '/v1/responses' }),
    ]);
    expect(errors.map((error) => [error.code, error.param, error.line])).toEqual([
      ['missing_required_parameter', 'custom_id', 1],
      ['duplicate_custom_id', 'custom_id', 3],
      ['invalid_method', 'method', 4],
      ['url_mismatch', 'url', 5],
    ]);
  });

  it('refuses more than one model per file', async () => {
    const harness = await start();
    const errors = await failedErrors(harness, [batchLine('a', chatBody(0)), batchLine('b', chatBody(1, { model: 'gpt-4o' }))]);
    expect(errors).toMatchObject([{ code: 'model_mismatch', param: 'body.model', line: 2 }]);
  });

  it('refuses more than 50,000 requests (the real limit)', async () => {
    const harness = await start();
    const line = (index: number) => `{"custom_id":"r${index}","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[]}}`;
    const errors = await failedErrors(harness, Array.from({ length: 50_001 }, (_, index) => line(index)));
    expect(errors).toMatchObject([{ code: 'too_many_tasks', line: null }]);
  });

  it('refuses an input file over the size limit and an empty file', async () => {
    const harness = await start({ limits: { openaiMaxInputBytes: 1000 } });
    const big = Array.from({ length: 10 }, (_, index) => batchLine(`r${index}`, chatBody(index)));
    expect(await failedErrors(harness, big)).toMatchObject([{ code: 'file_too_large', line: null }]);
    const emptyFile = await uploadBatchFile(harness.openai, '');
    const empty = await harness.openai.batches.create({ input_file_id: emptyFile, endpoint: '/v1/chat/completions', completion_window: '24h' });
    await harness.settle();
    expect((await harness.openai.batches.retrieve(empty.id)).errors?.data).toMatchObject([{ code: 'empty_file' }]);
  });
});

describe('OpenAI synchronous request checks', () => {
  it('answers 404 for an unknown input_file_id', async () => {
    const harness = await start();
    const error = await harness.openai.batches
      .create({ input_file_id: 'file-missing', endpoint: '/v1/chat/completions', completion_window: '24h' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).error).toMatchObject({ type: 'invalid_request_error', message: 'No such File object: file-missing' });
  });

  it('answers 400 for a bad endpoint, completion_window, metadata or input file purpose', async () => {
    const harness = await start();
    const fileId = await uploadBatchFile(harness.openai, jsonl([batchLine('a', chatBody(0))]));
    const base = { input_file_id: fileId, endpoint: '/v1/chat/completions', completion_window: '24h' } as const;
    const create = (change: Record<string, unknown>) =>
      harness.openai.batches.create({ ...base, ...change } as never).catch((caught: unknown) => caught as BadRequestError);
    expect(await create({ endpoint: '/v1/chat' })).toMatchObject({ status: 400, param: 'endpoint' });
    expect(await create({ completion_window: '1h' })).toMatchObject({ status: 400, param: 'completion_window' });
    const tooMany = Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, 'v']));
    expect(await create({ metadata: tooMany })).toMatchObject({ status: 400, param: 'metadata' });
    expect(await create({ metadata: { ['k'.repeat(65)]: 'v' } })).toMatchObject({ status: 400, param: 'metadata' });
    expect(await create({ metadata: { key: 'v'.repeat(513) } })).toMatchObject({ status: 400, param: 'metadata.key' });
    const accepted = await harness.openai.batches.create({ ...base, metadata: { ['k'.repeat(64)]: 'v'.repeat(512) } });
    expect(accepted.metadata).toEqual({ ['k'.repeat(64)]: 'v'.repeat(512) });
    const other = await harness.openai.files.create({ file: await toFile(Buffer.from('{}\n'), 'notes.jsonl'), purpose: 'user_data' });
    expect(await create({ input_file_id: other.id })).toMatchObject({ status: 400, param: 'input_file_id' });
    expect(harness.server.stats().createAttempts.openai).toBe(7);
    expect(harness.server.stats().batchesCreated.openai).toBe(1);
  });

  it('refuses a batch upload that is not .jsonl', async () => {
    const harness = await start();
    const error = await harness.openai.files
      .create({ file: await toFile(Buffer.from('a,b\n'), 'input.csv'), purpose: 'batch' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toContain('Invalid file format for Batch API. Must be .jsonl');
    expect(harness.server.stats().filesUploaded).toBe(0);
  });

  it('refuses uploads without credentials and answers OpenAI-shaped errors with x-request-id', async () => {
    const harness = await start();
    const response = await fetch(`${harness.server.openaiBaseURL}/batches`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', param: null, code: null } });
  });
});

import OpenAI, { BadRequestError } from 'openai';
import { describe, expect, it } from 'vitest';
import {
  batchLine,
  chatBody,
  createOpenAIBatch,
  jsonl,
  QA_SCHEMA,
  readOpenAIFile,
  runOpenAIBatch,
  uploadBatchFile,
  useEmulators,
  validatorFor,
} from './emulator-harness.js';

const start = useEmulators();
const lines = (count: number, prefix = 'rec'): string[] =>
  Array.from({ length: count }, (_, index) => batchLine(`${prefix}-${String(index).padStart(4, '0')}-s0`, chatBody(index)));

describe('OpenAI batches through the official SDK', () => {
  it('runs a batch to completion with one schema-valid output line per request', async () => {
    const harness = await start();
    const batch = await runOpenAIBatch(harness, lines(12));
    expect(batch).toMatchObject({
      object: 'batch',
      status: 'completed',
      endpoint: '/v1/chat/completions',
      model: 'gpt-4o-mini',
      errors: null,
      error_file_id: null,
      request_counts: { total: 12, completed: 12, failed: 0 },
    });
    expect(batch.expires_at).toBe(batch.created_at + 86_400);
    for (const key of ['created_at', 'in_progress_at', 'finalizing_at', 'completed_at'] as const) {
      expect(Number.isInteger(batch[key])).toBe(true);
    }
    expect(batch.usage?.total_tokens).toBe((batch.usage?.input_tokens ?? 0) + (batch.usage?.output_tokens ?? 0));
    expect(batch.usage?.output_tokens).toBeGreaterThan(0);

    const output = await readOpenAIFile(harness.openai, batch.output_file_id);
    expect(output).toHaveLength(12);
    const valid = validatorFor(QA_SCHEMA);
    for (const line of output) {
      expect(line.error).toBeNull();
      expect(line.id).toMatch(/^batch_req_/);
      expect(line.response?.status_code).toBe(200);
      const completion = line.response?.body as OpenAI.ChatCompletion;
      expect(completion.object).toBe('chat.completion');
      expect(completion.choices[0]?.finish_reason).toBe('stop');
      expect(completion.choices[0]?.message.refusal).toBeNull();
      expect(valid(JSON.parse(completion.choices[0]?.message.content ?? ''))).toBe(true);
      expect(Number.isInteger(completion.usage?.prompt_tokens)).toBe(true);
    }
    const outputFile = await harness.openai.files.retrieve(batch.output_file_id ?? '');
    expect(outputFile).toMatchObject({ purpose: 'batch_output', status: 'processed', object: 'file' });
  });

  it('returns results in a shuffled order, never the input order (not even for two lines)', async () => {
    const harness = await start();
    const input = lines(20);
    const batch = await runOpenAIBatch(harness, input);
    const order = (await readOpenAIFile(harness.openai, batch.output_file_id)).map((line) => line.custom_id);
    const inputOrder = input.map((line) => (JSON.parse(line) as { custom_id: string }).custom_id);
    expect([...order].sort()).toEqual(inputOrder);
    expect(order).not.toEqual(inputOrder);
    for (let pair = 0; pair < 4; pair++) {
      const twoLines = [`p${pair}-a`, `p${pair}-b`];
      const small = await runOpenAIBatch(harness, twoLines.map((id) => batchLine(id, chatBody(pair))));
      expect((await readOpenAIFile(harness.openai, small.output_file_id)).map((line) => line.custom_id)).toEqual([...twoLines].reverse());
    }
  });

  it('walks validating → in_progress → finalizing → completed on the clock, with live request counts', async () => {
    const harness = await start({ faults: { timing: { validatingMs: 1000, inProgressMs: 4000, finalizingMs: 1000 } } });
    const created = await createOpenAIBatch(harness, lines(8));
    expect(created.status).toBe('validating');
    expect(created.request_counts).toEqual({ total: 0, completed: 0, failed: 0 });
    expect(created.output_file_id).toBeNull();
    await harness.server.idle();
    const retrieve = () => harness.openai.batches.retrieve(created.id);
    expect((await retrieve()).status).toBe('validating');
    harness.clock.advance(1000);
    const started = await retrieve();
    expect(started.status).toBe('in_progress');
    expect(started.request_counts).toEqual({ total: 8, completed: 0, failed: 0 });
    harness.clock.advance(2000);
    expect((await retrieve()).request_counts).toEqual({ total: 8, completed: 4, failed: 0 });
    harness.clock.advance(2000);
    const finalizing = await retrieve();
    expect(finalizing.status).toBe('finalizing');
    expect(finalizing.request_counts?.completed).toBe(8);
    expect(finalizing.output_file_id).toBeNull();
    harness.clock.advance(1000);
    const done = await retrieve();
    expect(done.status).toBe('completed');
    expect(done.completed_at).toBe((done.finalizing_at ?? 0) + 1);
    expect(done.output_file_id).toMatch(/^file-/);
  });

  it('pages batches newest first with limit and after, and the SDK iterates them all', async () => {
    const harness = await start();
    const inputFileId = await uploadBatchFile(harness.openai, jsonl(lines(1)));
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) {
      const batch = await harness.openai.batches.create({
        input_file_id: inputFileId,
        endpoint: '/v1/chat/completions',
        completion_window: '24h',
        metadata: { shard: String(index) },
      });
      ids.push(batch.id);
      harness.clock.advance(1000);
    }
    const first = await harness.openai.batches.list({ limit: 2 });
    expect(first.data.map((batch) => batch.id)).toEqual([ids[4], ids[3]]);
    expect(first.has_more).toBe(true);
    const second = await harness.openai.batches.list({ limit: 2, after: ids[3] });
    expect(second.data.map((batch) => batch.id)).toEqual([ids[2], ids[1]]);
    const all: string[] = [];
    for await (const batch of harness.openai.batches.list({ limit: 2 })) all.push(batch.id);
    expect(all).toEqual([...ids].reverse());
    const raw = (await (await fetch(`${harness.server.openaiBaseURL}/batches?limit=2`, { headers: { authorization: 'Bearer k' } })).json()) as Record<string, unknown>;
    expect(raw).toMatchObject({ object: 'list', first_id: ids[4], last_id: ids[3], has_more: true });
  });

  it('lists, retrieves, downloads and deletes files', async () => {
    const harness = await start();
    const content = jsonl(lines(2));
    const first = await uploadBatchFile(harness.openai, content, 'a.jsonl');
    harness.clock.advance(1000);
    const second = await uploadBatchFile(harness.openai, content, 'b.jsonl');
    const listed = await harness.openai.files.list({ purpose: 'batch' });
    expect(listed.data.map((file) => file.id)).toEqual([second, first]);
    const file = await harness.openai.files.retrieve(first);
    expect(file).toMatchObject({ filename: 'a.jsonl', bytes: content.length, purpose: 'batch', status: 'processed' });
    expect(file.expires_at).toBe(file.created_at + 30 * 86_400);
    expect(Buffer.from(await (await harness.openai.files.content(first)).arrayBuffer())).toEqual(content);
    expect(await harness.openai.files.delete(first)).toEqual({ id: first, object: 'file', deleted: true });
    await expect(harness.openai.files.retrieve(first)).rejects.toMatchObject({ status: 404 });
  });

  it('cancels an in-progress batch: cancelling, then cancelled with partial results and batch_cancelled lines', async () => {
    const harness = await start({ faults: { timing: { validatingMs: 1000, inProgressMs: 4000, finalizingMs: 1000 } } });
    const created = await createOpenAIBatch(harness, lines(10));
    await harness.server.idle();
    harness.clock.advance(3000);
    const cancelling = await harness.openai.batches.cancel(created.id);
    expect(cancelling.status).toBe('cancelling');
    expect(cancelling.cancelling_at).not.toBeNull();
    expect(harness.server.stats().cancels).toBe(1);
    harness.clock.advance(1000);
    const cancelled = await harness.openai.batches.retrieve(created.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.request_counts).toEqual({ total: 10, completed: 5, failed: 5 });
    expect(await readOpenAIFile(harness.openai, cancelled.output_file_id)).toHaveLength(5);
    const errors = await readOpenAIFile(harness.openai, cancelled.error_file_id);
    expect(errors).toHaveLength(5);
    expect(errors.every((line) => line.response === null && line.error?.code === 'batch_cancelled')).toBe(true);
  });

  it('refuses to cancel an ended batch with a single 400 that the SDK does not retry', async () => {
    const harness = await start();
    const batch = await runOpenAIBatch(harness, lines(2));
    let cancelCalls = 0;
    const counting = new OpenAI({
      apiKey: 'k',
      baseURL: harness.server.openaiBaseURL,
      maxRetries: 2,
      fetch: async (url, init) => {
        if (String(url).endsWith('/cancel')) cancelCalls++;
        return fetch(url, init);
      },
    });
    const error = await counting.batches.cancel(batch.id).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).status).toBe(400);
    expect((error as BadRequestError).requestID).toMatch(/^req_/);
    expect(cancelCalls).toBe(1);
    expect(harness.server.stats().cancels).toBe(0);
  });

  it('leaves output_file_id null when every line failed', async () => {
    const harness = await start();
    const batch = await runOpenAIBatch(harness, [batchLine('only-bad', { model: 'gpt-4o-mini' })]);
    expect(batch.status).toBe('completed');
    expect(batch.output_file_id).toBeNull();
    expect(batch.request_counts).toEqual({ total: 1, completed: 0, failed: 1 });
    expect(await readOpenAIFile(harness.openai, batch.error_file_id)).toHaveLength(1);
  });
});

import Anthropic, { APIError, BadRequestError } from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import {
  anthropicRequest,
  isJson,
  QA_SCHEMA_ANTHROPIC,
  rejectionOf,
  runAnthropicBatch,
  useEmulators,
  validatorFor,
} from './emulator-harness.js';

const start = useEmulators();
const requests = (count: number) => Array.from({ length: count }, (_, index) => anthropicRequest(`req-${String(index).padStart(3, '0')}`));

describe('Anthropic message batches through the official SDK', () => {
  it('runs a batch to ended with schema-valid JSON outputs, in shuffled order', async () => {
    const harness = await start();
    const created = await harness.anthropic.messages.batches.create({ requests: requests(15) });
    expect(created).toMatchObject({
      type: 'message_batch',
      processing_status: 'in_progress',
      request_counts: { processing: 15, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
      results_url: null,
      ended_at: null,
    });
    expect(created.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(Date.parse(created.expires_at) - Date.parse(created.created_at)).toBe(86_400_000);
    await harness.settle();
    const ended = await harness.anthropic.messages.batches.retrieve(created.id);
    expect(ended.processing_status).toBe('ended');
    expect(ended.request_counts).toEqual({ processing: 0, succeeded: 15, errored: 0, canceled: 0, expired: 0 });
    expect(ended.results_url).toBe(`${harness.server.url}/v1/messages/batches/${created.id}/results`);
    const lines: Anthropic.Messages.Batches.MessageBatchIndividualResponse[] = [];
    for await (const line of await harness.anthropic.messages.batches.results(created.id)) lines.push(line);
    const valid = validatorFor(QA_SCHEMA_ANTHROPIC);
    for (const line of lines) {
      expect(line.result.type).toBe('succeeded');
      const message = (line.result as Anthropic.Messages.Batches.MessageBatchSucceededResult).message;
      expect(message).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'end_turn', model: 'claude-haiku-4-5' });
      expect(message.usage.service_tier).toBe('batch');
      const block = message.content[0] as Anthropic.TextBlock;
      expect(valid(JSON.parse(block.text))).toBe(true);
    }
    const order = lines.map((line) => line.custom_id);
    const inputOrder = requests(15).map((request) => request.custom_id);
    expect([...order].sort()).toEqual(inputOrder);
    expect(order).not.toEqual(inputOrder);
  });

  it('streams results as application/x-jsonl, newline-terminated, without blank lines, at an absolute url', async () => {
    const harness = await start();
    const created = await harness.anthropic.messages.batches.create({ requests: requests(4) });
    await harness.settle();
    const { results_url: url } = await harness.anthropic.messages.batches.retrieve(created.id);
    expect(url?.startsWith('http://127.0.0.1:')).toBe(true);
    const response = await fetch(url ?? '', { headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' } });
    expect(response.headers.get('content-type')).toBe('application/x-jsonl');
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    const text = await response.text();
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.split('\n').slice(0, -1);
    expect(lines).toHaveLength(4);
    expect(lines.every((line) => line.length > 0 && isJson(line))).toBe(true);
  });

  it('answers forced tool use with a schema-valid tool_use block, and prompt-only schemas with fenced JSON', async () => {
    const harness = await start();
    const tool = { name: 'emit_record', description: 'Return the record', input_schema: QA_SCHEMA_ANTHROPIC, strict: true };
    const promptSchema = `Reply with JSON.\n\n\`\`\`json\n${JSON.stringify(QA_SCHEMA_ANTHROPIC)}\n\`\`\``;
    const { results } = await runAnthropicBatch(harness, [
      anthropicRequest('tool', { output_config: undefined, tools: [tool], tool_choice: { type: 'tool', name: 'emit_record' } }),
      anthropicRequest('prompt', { output_config: undefined, system: [{ type: 'text', text: promptSchema }] }),
      anthropicRequest('text', { output_config: undefined }),
    ]);
    const byId = new Map(results.map((line) => [line.custom_id, (line.result as Anthropic.Messages.Batches.MessageBatchSucceededResult).message]));
    const valid = validatorFor(QA_SCHEMA_ANTHROPIC);
    const toolMessage = byId.get('tool');
    expect(toolMessage?.stop_reason).toBe('tool_use');
    const toolUse = toolMessage?.content[0] as Anthropic.ToolUseBlock;
    expect(toolUse).toMatchObject({ type: 'tool_use', name: 'emit_record' });
    expect(valid(toolUse.input)).toBe(true);
    const fenced = (byId.get('prompt')?.content[0] as Anthropic.TextBlock).text;
    expect(valid(JSON.parse(/```json\n([\s\S]*?)\n```/.exec(fenced)?.[1] ?? ''))).toBe(true);
    expect(isJson((byId.get('text')?.content[0] as Anthropic.TextBlock).text)).toBe(false);
  });

  it('reports bad params asynchronously as errored results with invalid_request_error', async () => {
    const harness = await start();
    const { batch, results } = await runAnthropicBatch(harness, [
      { custom_id: 'no-model', params: { max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] } as never },
      { custom_id: 'no-max-tokens', params: { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] } as never },
      { custom_id: 'no-messages', params: { model: 'claude-haiku-4-5', max_tokens: 10 } as never },
      anthropicRequest('bad-schema', { output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { n: { type: 'integer', minimum: 1 } }, required: ['n'], additionalProperties: false } } } }),
      anthropicRequest('fine'),
    ]);
    expect(batch.request_counts).toEqual({ processing: 0, succeeded: 1, errored: 4, canceled: 0, expired: 0 });
    const errors = new Map(
      results
        .filter((line) => line.result.type === 'errored')
        .map((line) => [line.custom_id, (line.result as Anthropic.Messages.Batches.MessageBatchErroredResult).error]),
    );
    for (const [id, field] of [['no-model', 'model'], ['no-max-tokens', 'max_tokens'], ['no-messages', 'messages']]) {
      expect(errors.get(id ?? '')).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: `${field}: Field required` } });
    }
    expect(errors.get('bad-schema')?.error.message).toContain("'minimum' is not supported");
  });

  it('checks custom_id pattern, uniqueness and request count synchronously', async () => {
    const harness = await start({ limits: { anthropicMaxRequests: 3 } });
    const create = (list: Anthropic.Messages.Batches.BatchCreateParams.Request[]) =>
      rejectionOf<BadRequestError>(harness.anthropic.messages.batches.create({ requests: list }));
    const badId = await create([anthropicRequest('has space')]);
    expect(badId).toBeInstanceOf(BadRequestError);
    expect(badId.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(badId.requestID).toMatch(/^req_/);
    expect(await create([anthropicRequest('x'.repeat(65))])).toMatchObject({ status: 400 });
    expect(await create([anthropicRequest('same'), anthropicRequest('same')])).toMatchObject({ status: 400 });
    expect(await create([])).toMatchObject({ status: 400 });
    expect(await create(requests(4))).toMatchObject({ status: 400 });
    const accepted = await harness.anthropic.messages.batches.create({ requests: [...requests(2), anthropicRequest('x'.repeat(64))] });
    expect(accepted.request_counts.processing).toBe(3);
    expect(harness.server.stats().createAttempts.anthropic).toBe(6);
    expect(harness.server.stats().batchesCreated.anthropic).toBe(1);
  });

  it('refuses 100,001 requests at the real limit', async () => {
    const harness = await start();
    const body = JSON.stringify({ requests: Array.from({ length: 100_001 }, (_, index) => ({ custom_id: `r${index}`, params: {} })) });
    const refused = await fetch(`${harness.server.url}/v1/messages/batches`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body,
    });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('request-id')).toMatch(/^req_/);
    expect(await refused.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining('at most 100000 items') },
      request_id: expect.stringMatching(/^req_/),
    });
  });

  it('answers 413 request_too_large above the body size limit', async () => {
    const harness = await start({ limits: { anthropicMaxBodyBytes: 2_000 } });
    const error = await rejectionOf<APIError>(harness.anthropic.messages.batches.create({ requests: requests(20) }));
    expect(error.status).toBe(413);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
  });

  it('pages newest first with after_id and before_id', async () => {
    const harness = await start();
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) {
      ids.push((await harness.anthropic.messages.batches.create({ requests: [anthropicRequest(`r${index}`)] })).id);
      harness.clock.advance(1000);
    }
    const newestFirst = [...ids].reverse();
    const first = await harness.anthropic.messages.batches.list({ limit: 2 });
    expect(first.data.map((batch) => batch.id)).toEqual(newestFirst.slice(0, 2));
    expect(first).toMatchObject({ has_more: true, first_id: newestFirst[0], last_id: newestFirst[1] });
    const next = await harness.anthropic.messages.batches.list({ limit: 2, after_id: newestFirst[1] });
    expect(next.data.map((batch) => batch.id)).toEqual(newestFirst.slice(2, 4));
    const before = await harness.anthropic.messages.batches.list({ limit: 2, before_id: newestFirst[3] });
    expect(before.data.map((batch) => batch.id)).toEqual(newestFirst.slice(1, 3));
    expect(before.has_more).toBe(true);
    const all: string[] = [];
    for await (const batch of harness.anthropic.messages.batches.list({ limit: 2 })) all.push(batch.id);
    expect(all).toEqual(newestFirst);
  });

  it('cancels (canceling, then ended with canceled results), refuses a second cancel after the end, and deletes only ended batches', async () => {
    const harness = await start({ faults: { timing: { validatingMs: 0, inProgressMs: 4000, finalizingMs: 1000 } } });
    const created = await harness.anthropic.messages.batches.create({ requests: requests(8) });
    const early = await rejectionOf<APIError>(harness.anthropic.messages.batches.delete(created.id));
    expect(early.status).toBe(400);
    await harness.server.idle();
    harness.clock.advance(1000);
    const canceling = await harness.anthropic.messages.batches.cancel(created.id);
    expect(canceling.processing_status).toBe('canceling');
    expect(canceling.cancel_initiated_at).not.toBeNull();
    expect(canceling.results_url).toBeNull();
    harness.clock.advance(1000);
    const ended = await harness.anthropic.messages.batches.retrieve(created.id);
    expect(ended.processing_status).toBe('ended');
    expect(ended.request_counts).toEqual({ processing: 0, succeeded: 2, errored: 0, canceled: 6, expired: 0 });
    const types: string[] = [];
    for await (const line of await harness.anthropic.messages.batches.results(created.id)) types.push(line.result.type);
    expect(types.filter((type) => type === 'canceled')).toHaveLength(6);
    const again = await rejectionOf<APIError>(harness.anthropic.messages.batches.cancel(created.id));
    expect(again.status).toBe(400);
    expect(await harness.anthropic.messages.batches.delete(created.id)).toEqual({ id: created.id, type: 'message_batch_deleted' });
    await expect(harness.anthropic.messages.batches.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
    expect(harness.server.stats().cancels).toBe(1);
  });

  it('accepts x-api-key or a bearer token with any anthropic-version, and refuses neither', async () => {
    const harness = await start();
    const get = (headers: Record<string, string>) => fetch(`${harness.server.url}/v1/messages/batches`, { headers });
    expect((await get({ 'x-api-key': 'k', 'anthropic-version': '2023-06-01' })).status).toBe(200);
    expect((await get({ authorization: 'Bearer k', 'anthropic-version': '2026-10-21' })).status).toBe(200);
    const refused = await get({ 'anthropic-version': '2023-06-01' });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });
});

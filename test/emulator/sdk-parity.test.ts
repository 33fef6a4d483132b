/**
 * What the official SDKs use beyond batches, against the emulator: the models lists, Anthropic
 * streaming, synchronous OpenAI embeddings, unknown models answered as each real API answers them, and
 * each API's own error shape on unknown routes and wrong methods.
 */
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { afterEach, describe, expect, it } from 'vitest';
import { catalogueNames } from '../../src/cost/model-catalogue.js';
import { EXTRA_MODELS_VARIABLE } from '../../src/emulator/core/served-models.js';
import { anthropicRequest, batchLine, chatBody, QA_SCHEMA_ANTHROPIC, readOpenAIFile, rejectionOf, runAnthropicBatch, runOpenAIBatch, useEmulators, validatorFor } from './emulator-harness.js';

const start = useEmulators();

describe('models lists', () => {
  it('OpenAI: client.models.list() and retrieve() show the catalogue; an unknown id is a NotFoundError', async () => {
    const { openai } = await start();
    const ids: string[] = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    expect(ids).toEqual(catalogueNames('openai'));
    expect(await openai.models.retrieve('gpt-4o-mini')).toEqual({ id: 'gpt-4o-mini', object: 'model', created: expect.any(Number), owned_by: 'system' });
    const missing = await rejectionOf<InstanceType<typeof OpenAI.NotFoundError>>(openai.models.retrieve('gpt-4o-mni'));
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect(missing).toMatchObject({ status: 404, code: 'model_not_found', type: 'invalid_request_error' });
  });

  it('Anthropic: client.models.list() pages with after_id and shows every served model once', async () => {
    const { anthropic } = await start();
    const ids: string[] = [];
    for await (const model of anthropic.models.list({ limit: 4 })) ids.push(model.id);
    expect(ids).toEqual(catalogueNames('anthropic'));
    const first = await anthropic.models.list({ limit: 4 });
    expect(first.data).toHaveLength(4);
    expect(first).toMatchObject({ has_more: true, first_id: ids[0], last_id: ids[3] });
    expect(await anthropic.models.retrieve('claude-haiku-4-5')).toEqual({ type: 'model', id: 'claude-haiku-4-5', display_name: 'Claude Haiku 4.5', created_at: expect.any(String) });
    const missing = await rejectionOf<InstanceType<typeof Anthropic.NotFoundError>>(anthropic.models.retrieve('claude-haiku-45'));
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
    expect(missing.error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });
});

describe('Anthropic streaming', () => {
  it("messages.stream() emits text deltas whose sum is finalMessage()'s text, and the events in the API's order", async () => {
    const { anthropic } = await start();
    const params = anthropicRequest('stream-1').params as Anthropic.Messages.MessageCreateParamsNonStreaming;
    // One request key for both calls: without it the second call would be a second sample of the prompt.
    const keyed = { headers: { 'x-request-key': 'stream-1' } };
    const stream = anthropic.messages.stream(params, keyed);
    const kinds: string[] = [];
    let text = '';
    stream.on('streamEvent', (event) => kinds.push(event.type));
    stream.on('text', (delta) => (text += delta));
    const message = await stream.finalMessage();
    const block = message.content[0] as Anthropic.Messages.TextBlock;
    expect(block.type).toBe('text');
    expect(text).toBe(block.text);
    expect(validatorFor(QA_SCHEMA_ANTHROPIC)(JSON.parse(block.text))).toBe(true);
    expect(message).toMatchObject({ role: 'assistant', model: 'claude-haiku-4-5', stop_reason: 'end_turn', usage: { output_tokens: expect.any(Number) } });
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(kinds.slice(0, 3)).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
    expect(kinds.filter((kind) => kind === 'content_block_delta').length).toBeGreaterThan(1);
    expect(kinds.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    // The same request without streaming gets the same message.
    expect((await anthropic.messages.create(params, keyed)).content).toEqual(message.content);
  });

  it('sends text/event-stream with a ping after the first block starts (the SDK drops pings)', async () => {
    const { server } = await start();
    const response = await fetch(`${server.anthropicBaseURL}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ ...anthropicRequest('raw').params, stream: true }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const names = [...(await response.text()).matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
    expect(names.slice(0, 3)).toEqual(['message_start', 'content_block_start', 'ping']);
    expect(names.at(-1)).toBe('message_stop');
  });

  it('streams a forced tool call as input_json_delta events that rebuild its input', async () => {
    const { anthropic } = await start();
    const tool = { name: 'emit_record', input_schema: QA_SCHEMA_ANTHROPIC as unknown as Anthropic.Messages.Tool.InputSchema };
    const message = await anthropic.messages
      .stream({ model: 'claude-haiku-4-5', max_tokens: 500, messages: [{ role: 'user', content: 'A question about routers.' }], tools: [tool], tool_choice: { type: 'tool', name: 'emit_record' } })
      .finalMessage();
    const block = message.content[0] as Anthropic.Messages.ToolUseBlock;
    expect(block).toMatchObject({ type: 'tool_use', name: 'emit_record' });
    expect(validatorFor(QA_SCHEMA_ANTHROPIC)(block.input)).toBe(true);
    expect(message.stop_reason).toBe('tool_use');
  });
});

describe('synchronous OpenAI embeddings', () => {
  it('answers float and base64 (the SDK default, decoded by it) with the same deterministic unit vectors and usage', async () => {
    const { openai } = await start();
    const input = ['the router drops wifi every night', 'how do I reset my modem'];
    const decoded = await openai.embeddings.create({ model: 'text-embedding-3-small', input, dimensions: 64 });
    const floats = await openai.embeddings.create({ model: 'text-embedding-3-small', input, dimensions: 64, encoding_format: 'float' });
    expect(decoded.data).toHaveLength(2);
    expect(decoded.data[0]!.embedding).toHaveLength(64);
    for (const [index, item] of floats.data.entries()) {
      expect(decoded.data[index]!.embedding).toEqual(item.embedding.map((value) => Math.fround(value)));
      expect(Math.hypot(...item.embedding)).toBeCloseTo(1, 5);
    }
    expect(floats.usage.prompt_tokens).toBeGreaterThan(0);
    expect(floats.usage.total_tokens).toBe(floats.usage.prompt_tokens);
    const again = await openai.embeddings.create({ model: 'text-embedding-3-small', input: input[0]!, dimensions: 64, encoding_format: 'float' });
    expect(again.data[0]!.embedding).toEqual(floats.data[0]!.embedding);
  });

  it('refuses a chat model and an unknown model with 404 model_not_found', async () => {
    const { openai } = await start();
    for (const model of ['gpt-4o-mini', 'text-embedding-3-smol']) {
      const error = await rejectionOf<InstanceType<typeof OpenAI.NotFoundError>>(openai.embeddings.create({ model, input: 'x' }));
      expect(error, model).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error.code).toBe('model_not_found');
    }
  });
});

describe('unknown models, as each real API answers them', () => {
  it('OpenAI: a synchronous call is a 404 model_not_found naming the model', async () => {
    const { openai } = await start();
    const error = await rejectionOf<InstanceType<typeof OpenAI.NotFoundError>>(openai.chat.completions.create(chatBody(0, { model: 'gpt-4o-mni' }) as never));
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'model_not_found', type: 'invalid_request_error', param: null });
    expect(error.message).toContain('The model `gpt-4o-mni` does not exist');
  });

  it('OpenAI: a batch fails validation with model_not_found; nothing runs', async () => {
    const harness = await start();
    const batch = await runOpenAIBatch(harness, [batchLine('a', chatBody(0, { model: 'gpt-4o-mni' })), batchLine('b', chatBody(1, { model: 'gpt-4o-mni' }))]);
    expect(batch.status).toBe('failed');
    expect(batch.errors?.data).toEqual([expect.objectContaining({ code: 'model_not_found', param: 'body.model', line: 1, message: expect.stringContaining("'gpt-4o-mni'") })]);
    expect(batch.output_file_id ?? null).toBeNull();
    expect(await readOpenAIFile(harness.openai, batch.error_file_id)).toEqual([]);
  });

  it('Anthropic: a synchronous call is a 404 not_found_error; in a batch each such request is errored', async () => {
    const harness = await start();
    const error = await rejectionOf<InstanceType<typeof Anthropic.NotFoundError>>(
      harness.anthropic.messages.create(anthropicRequest('x', { model: 'claude-haiku-45' }).params as Anthropic.Messages.MessageCreateParamsNonStreaming),
    );
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'not_found_error', message: expect.stringContaining('model: claude-haiku-45') } });
    const { batch, results } = await runAnthropicBatch(harness, [anthropicRequest('good'), anthropicRequest('bad', { model: 'claude-haiku-45' })]);
    expect(batch.request_counts).toMatchObject({ succeeded: 1, errored: 1 });
    expect(results.find((line) => line.custom_id === 'bad')!.result).toMatchObject({ type: 'errored', error: { type: 'error', error: { type: 'not_found_error' } } });
  });

  it('Gemini: creating a batch for an unknown model is a 404 NOT_FOUND', async () => {
    const harness = await start();
    const ai = new GoogleGenAI({ apiKey: 'test-key', vertexai: false, httpOptions: { baseUrl: harness.server.geminiBaseURL } });
    const src = [{ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], metadata: { key: 'k1' } }];
    const error = await rejectionOf<{ status: number; message: string }>(ai.batches.create({ model: 'gemini-2.5-flsh', src, config: { displayName: 'x' } }));
    expect(error.status).toBe(404);
    expect(JSON.parse(error.message.slice(error.message.indexOf('{')))).toMatchObject({ error: { code: 404, status: 'NOT_FOUND', message: expect.stringContaining('models/gemini-2.5-flsh is not found') } });
  });

  describe('served besides the catalogue', () => {
    const saved = process.env[EXTRA_MODELS_VARIABLE];
    afterEach(() => {
      if (saved === undefined) delete process.env[EXTRA_MODELS_VARIABLE];
      else process.env[EXTRA_MODELS_VARIABLE] = saved;
    });

    it('through the extraModels option and the environment variable, and listed', async () => {
      process.env[EXTRA_MODELS_VARIABLE] = 'anthropic/claude-in-house';
      const { openai, anthropic } = await start({ extraModels: ['openai/ft:gpt-4o-mini:acme::x1'] });
      const completion = await openai.chat.completions.create(chatBody(0, { model: 'ft:gpt-4o-mini:acme::x1' }) as never);
      expect(completion.model).toBe('ft:gpt-4o-mini:acme::x1');
      const message = await anthropic.messages.create(anthropicRequest('x', { model: 'claude-in-house' }).params as Anthropic.Messages.MessageCreateParamsNonStreaming);
      expect(message.model).toBe('claude-in-house');
      expect((await openai.models.retrieve('ft:gpt-4o-mini:acme::x1')).owned_by).toBe('user');
    });

    it('and any name on the local-server stand-in (/openai-compatible/v1)', async () => {
      const { server } = await start();
      const local = new OpenAI({ apiKey: 'none', baseURL: server.openaiCompatibleBaseURL, maxRetries: 0 });
      const completion = await local.chat.completions.create(chatBody(0, { model: 'llama-3.1-8b-instruct' }) as never);
      expect(completion.model).toBe('llama-3.1-8b-instruct');
    });
  });
});

describe("each API's own error shape on unknown routes and wrong methods", () => {
  it('OpenAI: 404 and 405 with {error: {message, type, param, code}} and x-request-id', async () => {
    const { openai } = await start();
    const unknown = await rejectionOf<InstanceType<typeof OpenAI.APIError>>(openai.get('/no-such-thing'));
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown.error).toEqual({ message: 'Unknown request URL: GET /v1/no-such-thing.', type: 'invalid_request_error', param: null, code: null });
    expect(unknown.requestID).toMatch(/^req_/);
    const wrongMethod = await rejectionOf<InstanceType<typeof OpenAI.APIError>>(openai.get('/chat/completions'));
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.error).toEqual({ message: 'Invalid method for URL (GET /v1/chat/completions)', type: 'invalid_request_error', param: null, code: null });
    expect(wrongMethod.headers?.get('allow')).toBe('POST');
  });

  it('Anthropic: 404 and 405 with {type: "error", error: {type, message}} and request-id', async () => {
    const { anthropic } = await start();
    const unknown = await rejectionOf<InstanceType<typeof Anthropic.APIError>>(anthropic.get('/v1/messages/nowhere/at/all'));
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError);
    expect(unknown.error).toMatchObject({ type: 'error', error: { type: 'not_found_error', message: 'Unknown request URL: GET /v1/messages/nowhere/at/all.' } });
    expect(unknown.requestID).toMatch(/^req_/);
    const wrongMethod = await rejectionOf<InstanceType<typeof Anthropic.APIError>>(anthropic.get('/v1/messages'));
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('Gemini: 404 with {error: {code, message, status}}, for an unknown path and a method its RPCs do not take', async () => {
    const { server } = await start();
    for (const [method, path] of [['GET', '/v1beta/nothing'], ['PUT', '/v1beta/batches']] as const) {
      const response = await fetch(`${server.geminiBaseURL}${path}`, { method, headers: { 'x-goog-api-key': 'k' } });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await response.json()).toEqual({ error: { code: 404, message: expect.any(String), status: 'NOT_FOUND' } });
    }
  });
});

import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import {
  batchLine,
  chatBody,
  isJson,
  jsonl,
  QA_SCHEMA,
  readOpenAIFile,
  runOpenAIBatch,
  uploadBatchFile,
  useEmulators,
  validatorFor,
  type OpenAIResultLine,
} from './emulator-harness.js';

const start = useEmulators();

function errorOf(line: OpenAIResultLine | undefined) {
  expect(line?.error).toBeNull();
  expect(line?.response?.status_code).toBe(400);
  return line?.response?.body.error as { message: string; type: string; param: string | null; code: string | null };
}

describe('OpenAI batch lines that the API refuses at run time', () => {
  it('puts each refused body in the error file as a 400 in response.body.error, with top-level error null', async () => {
    const harness = await start();
    const loose = { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] };
    const notRequired = { type: 'object', properties: { q: { type: 'string' }, a: { type: 'string' } }, required: ['q'], additionalProperties: false };
    const badFormat = { type: 'object', properties: { u: { type: 'string', format: 'uri' } }, required: ['u'], additionalProperties: false };
    const strict = (schema: object) => ({ response_format: { type: 'json_schema', json_schema: { name: 'x', strict: true, schema } } });
    const cases: [string, Record<string, unknown>][] = [
      ['stream', chatBody(0, { stream: true })],
      ['no-messages', { model: 'gpt-4o-mini' }],
      ['empty-messages', { model: 'gpt-4o-mini', messages: [] }],
      ['bad-role', { model: 'gpt-4o-mini', messages: [{ role: 'robot', content: 'hi' }] }],
      ['no-model', { messages: [{ role: 'user', content: 'hi' }] }],
      ['max-tokens', chatBody(0, { max_tokens: 0 })],
      ['strict-additional', chatBody(0, strict(loose))],
      ['strict-required', chatBody(0, strict(notRequired))],
      ['strict-format', chatBody(0, strict(badFormat))],
      ['json-object-word', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], response_format: { type: 'json_object' } }],
      [
        'strict-function',
        {
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'hi' }],
          tools: [{ type: 'function', function: { name: 'emit', strict: true, parameters: loose } }],
          tool_choice: { type: 'function', function: { name: 'emit' } },
        },
      ],
    ];
    const batch = await runOpenAIBatch(harness, cases.map(([id, body]) => batchLine(id, body)));
    expect(batch.status).toBe('completed');
    expect(batch.output_file_id).toBeNull();
    expect(batch.request_counts).toEqual({ total: cases.length, completed: 0, failed: cases.length });
    const errors = new Map((await readOpenAIFile(harness.openai, batch.error_file_id)).map((line) => [line.custom_id, line]));
    expect(errorOf(errors.get('stream'))).toMatchObject({ type: 'invalid_request_error', param: 'stream' });
    expect(errorOf(errors.get('no-messages'))).toMatchObject({ param: 'messages', code: 'missing_required_parameter' });
    expect(errorOf(errors.get('empty-messages'))).toMatchObject({ param: 'messages', code: 'empty_array' });
    expect(errorOf(errors.get('bad-role'))).toMatchObject({ param: 'messages[0].role' });
    expect(errorOf(errors.get('no-model')).message).toBe('you must provide a model parameter');
    expect(errorOf(errors.get('max-tokens'))).toMatchObject({ param: 'max_tokens' });
    expect(errorOf(errors.get('strict-additional')).message).toContain("'additionalProperties' is required to be supplied and to be false");
    expect(errorOf(errors.get('strict-required')).message).toContain("Missing 'a'");
    expect(errorOf(errors.get('strict-format')).message).toContain("'uri' is not a valid format");
    expect(errorOf(errors.get('json-object-word')).message).toContain("must contain the word 'json'");
    expect(errorOf(errors.get('strict-function')).message).toContain("Invalid schema for function 'emit'");
  });
});

describe('OpenAI answers by request shape', () => {
  it('answers a forced function call, json_object mode, a prompt-only schema, plain text and embeddings', async () => {
    const harness = await start();
    const tool = { type: 'function', function: { name: 'emit', parameters: QA_SCHEMA, strict: true } };
    const promptSchema = `Reply in JSON.\n\n\`\`\`json\n${JSON.stringify(QA_SCHEMA, null, 2)}\n\`\`\``;
    const plain = (system: string) => ({
      model: 'gpt-4o-mini',
      messages: [{ role: 'system', content: system }, { role: 'user', content: 'Describe the mesh router firmware upgrade.' }],
    });
    const batch = await runOpenAIBatch(harness, [
      batchLine('tool', { ...plain('You are helpful.'), tools: [tool], tool_choice: { type: 'function', function: { name: 'emit' } } }),
      batchLine('json-object', { ...plain('Answer in json.'), response_format: { type: 'json_object' } }),
      batchLine('prompt-schema', plain(promptSchema)),
      batchLine('text', plain('You are helpful.')),
    ]);
    const output = new Map((await readOpenAIFile(harness.openai, batch.output_file_id)).map((line) => [line.custom_id, line.response?.body as OpenAI.ChatCompletion]));
    const valid = validatorFor(QA_SCHEMA);
    const call = output.get('tool')?.choices[0]?.message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.function.name).toBe('emit');
    expect(valid(JSON.parse(call.function.arguments))).toBe(true);
    expect(output.get('tool')?.choices[0]?.message.content).toBeNull();
    expect(typeof JSON.parse(output.get('json-object')?.choices[0]?.message.content ?? '')).toBe('object');
    const fenced = output.get('prompt-schema')?.choices[0]?.message.content ?? '';
    expect(isJson(fenced)).toBe(false);
    const block = /```json\n([\s\S]*?)\n```/.exec(fenced)?.[1] ?? '';
    expect(valid(JSON.parse(block))).toBe(true);
    const text = output.get('text')?.choices[0]?.message.content ?? '';
    expect(isJson(text)).toBe(false);
    expect(text.split(' ').length).toBeGreaterThan(8);

    const embeddingFile = await uploadBatchFile(
      harness.openai,
      jsonl([JSON.stringify({ custom_id: 'e1', method: 'POST', url: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: ['router reset', 'router reset now'], dimensions: 64 } })]),
    );
    const embeddings = await harness.openai.batches.create({ input_file_id: embeddingFile, endpoint: '/v1/embeddings', completion_window: '24h' });
    await harness.settle();
    const done = await harness.openai.batches.retrieve(embeddings.id);
    const [line] = await readOpenAIFile(harness.openai, done.output_file_id);
    const vectors = (line?.response?.body.data as { embedding: number[] }[]).map((item) => item.embedding);
    expect(vectors.map((vector) => vector.length)).toEqual([64, 64]);
    const cosine = vectors[0]?.reduce((sum, value, index) => sum + value * (vectors[1]?.[index] ?? 0), 0) ?? 0;
    expect(cosine).toBeGreaterThan(0.7);
  });

  it('cuts an answer at the request max_tokens with finish_reason length', async () => {
    const harness = await start();
    const batch = await runOpenAIBatch(harness, [batchLine('short', chatBody(0, { max_tokens: 5 }))]);
    const [line] = await readOpenAIFile(harness.openai, batch.output_file_id);
    const choice = (line?.response?.body as OpenAI.ChatCompletion).choices[0];
    expect(choice?.finish_reason).toBe('length');
    expect(isJson(choice?.message.content ?? '')).toBe(false);
    expect(harness.server.batchFaults(batch.id)?.maxTokensCutoff).toBe(1);
  });
});

describe('synchronous /v1/chat/completions', () => {
  it('answers a chat.completion seeded by x-request-key', async () => {
    const harness = await start();
    const body = chatBody(3) as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming;
    const ask = (key: string) => harness.openai.chat.completions.create(body, { headers: { 'x-request-key': key } });
    const first = await ask('sample-0');
    expect(first.object).toBe('chat.completion');
    expect(validatorFor(QA_SCHEMA)(JSON.parse(first.choices[0]?.message.content ?? ''))).toBe(true);
    expect((await ask('sample-0')).choices[0]?.message.content).toBe(first.choices[0]?.message.content);
    expect((await ask('sample-1')).choices[0]?.message.content).not.toBe(first.choices[0]?.message.content);
    expect(harness.server.stats().chatCompletions).toBe(3);
    await expect(harness.openai.chat.completions.create({ model: 'm', messages: [] })).rejects.toMatchObject({ status: 400 });
  });
});

import { describe, expect, it } from 'vitest';
import type { FaultOptions } from '../../src/emulator/emulator.js';
import type { BatchItemResult, ProviderRequest } from '../../src/providers/batch-provider.js';
import { ProviderApiError } from '../../src/providers/errors.js';
import { GeminiBatchProvider, jobDisplayName } from '../../src/providers/gemini/gemini-batch-provider.js';
import { convertGeminiResultLine } from '../../src/providers/gemini/gemini-result.js';
import { mapGeminiBatchState, mapGeminiBatchStats } from '../../src/providers/gemini/map-gemini-batch-status.js';
import { compileOutputSchema } from '../../src/schema/output-schema.js';
import { extractJson } from '../../src/schema/extract-json.js';
import { makeRequests, pollUntilDone, QA_SCHEMA, writeShard } from '../helpers/shard-file.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { manualClock } from '../emulator/emulator-harness.js';
import { FAST_TIMING, useEmulators } from '../helpers/emulators.js';

const tempDir = useTempDirs();
const emulators = useEmulators();


async function setup(faults: Partial<FaultOptions> = {}, options: { inlineMaxBytes?: number } = {}) {
  const emulator = await emulators.start({ faults: { timing: FAST_TIMING, ...faults } });
  const provider = new GeminiBatchProvider({ apiKey: 'test-key', baseURL: emulator.geminiBaseURL, maxRetries: 1, timeoutMs: 10_000, ...options });
  return { emulator, provider };
}

async function collect(iterable: AsyncIterable<BatchItemResult>): Promise<BatchItemResult[]> {
  const results: BatchItemResult[] = [];
  for await (const result of iterable) results.push(result);
  return results;
}

const geminiRequests = (count: number): ProviderRequest[] => makeRequests(count, 'gemini-2.5-flash');

const embeddingRequests = (texts: string[], dimensions?: number): ProviderRequest[] =>
  texts.map((input, index) => ({
    customId: `emb-${index}`,
    model: 'gemini-embedding-001',
    messages: [],
    params: {},
    embedding: { input, ...(dimensions ? { dimensions } : {}) },
  }));

const cosine = (left: number[], right: number[]): number => left.reduce((sum, value, index) => sum + value * (right[index] ?? 0), 0);
const norm = (vector: number[]): number => Math.sqrt(cosine(vector, vector));

describe('GeminiBatchProvider against the emulator', () => {
  it('sends a small shard inline and maps every inline response back by metadata.key, schema-valid', async () => {
    const { provider, emulator } = await setup();
    const requests = geminiRequests(25);
    const handle = await provider.submit(writeShard(tempDir(), provider, requests));
    expect(handle).toMatchObject({ provider: 'gemini', model: 'gemini-2.5-flash', kind: 'chat' });
    expect(handle.batchId).toMatch(/^batches\/[a-z0-9]+$/);
    expect(handle.inputFileId).toBeUndefined();
    const status = await pollUntilDone(provider, handle);
    expect(status).toEqual({ state: 'ended', rawStatus: 'BATCH_STATE_SUCCEEDED', counts: { total: 25, completed: 25, failed: 0 } });
    const results = await collect(provider.results(handle));
    expect(results.map((result) => result.customId).sort()).toEqual(requests.map((request) => request.customId));
    const schema = compileOutputSchema('qa', QA_SCHEMA);
    for (const result of results) {
      if (result.outcome !== 'succeeded') throw new Error(`unexpected ${result.outcome}`);
      expect(schema.validate(JSON.parse(result.text)).ok).toBe(true);
      expect(result.finishReason).toBe('stop');
      expect(result.usage!.inputTokens).toBeGreaterThan(0);
      expect(result.usage!.outputTokens).toBeGreaterThan(0);
      expect(result.model).toBe('gemini-2.5-flash');
    }
    expect(emulator.stats()).toMatchObject({ filesUploaded: 0, batchesCreated: { gemini: 1 }, requestsReceived: { gemini: 25 } });
  });

  it('uploads a shard above the inline threshold through the resumable Files API and reads the responses file', async () => {
    const { provider, emulator } = await setup({}, { inlineMaxBytes: 0 });
    const requests = geminiRequests(30);
    const handle = await provider.submit(writeShard(tempDir(), provider, requests));
    expect(handle.inputFileId).toMatch(/^files\/[a-z0-9]+$/);
    const status = await pollUntilDone(provider, handle);
    expect(status).toMatchObject({ state: 'ended', rawStatus: 'BATCH_STATE_SUCCEEDED', counts: { total: 30, completed: 30, failed: 0 } });
    const results = await collect(provider.results(handle));
    expect(results).toHaveLength(30);
    expect(new Set(results.map((result) => result.customId))).toEqual(new Set(requests.map((request) => request.customId)));
    expect(results.every((result) => result.outcome === 'succeeded')).toBe(true);
    expect(emulator.stats()).toMatchObject({ filesUploaded: 1, batchesCreated: { gemini: 1 } });
  });

  it('reports a job that failed as a whole with its error and no results', async () => {
    const { provider } = await setup({ failValidationRate: 1 });
    const handle = await provider.submit(writeShard(tempDir(), provider, geminiRequests(3)));
    const status = await pollUntilDone(provider, handle);
    expect(status.state).toBe('failed');
    expect(status.rawStatus).toBe('BATCH_STATE_FAILED');
    expect(status.errors?.[0]?.code).toBe('RESOURCE_EXHAUSTED');
    expect(status.failure).toBe('queue_full');
    expect(await collect(provider.results(handle))).toEqual([]);
  });

  it('reports a job failed for its input (a repeated key) as input_rejected, not queue_full', async () => {
    const { provider } = await setup({}, { inlineMaxBytes: 0 });
    const requests = geminiRequests(2).map((request) => ({ ...request, customId: 'same-key' }));
    const handle = await provider.submit(writeShard(tempDir(), provider, requests));
    const status = await pollUntilDone(provider, handle);
    expect(status).toMatchObject({ state: 'failed', errors: [{ code: 'INVALID_ARGUMENT' }] });
    expect(status.failure).toBe('input_rejected');
  });

  it('keeps the finished results of an expired job (partial output) and leaves the rest missing', async () => {
    const { provider } = await setup({ expireRate: 1 }, { inlineMaxBytes: 0 });
    const handle = await provider.submit(writeShard(tempDir(), provider, geminiRequests(20)));
    const status = await pollUntilDone(provider, handle);
    expect(status).toMatchObject({ state: 'ended', rawStatus: 'BATCH_STATE_EXPIRED' });
    const results = await collect(provider.results(handle));
    expect(results.length).toBeGreaterThan(0);
    expect(results.length).toBeLessThan(20);
    expect(results.every((result) => result.outcome === 'succeeded')).toBe(true);
    expect(status.counts).toEqual({ total: 20, completed: results.length, failed: 0 });
  });

  it('cancels a running job; it stays running until the cancel lands, then ends CANCELLED with what ran', async () => {
    const clock = manualClock();
    const emulator = await emulators.start({ clock: clock.now, faults: { timing: { validatingMs: 5, inProgressMs: 60_000, finalizingMs: 5 } } });
    const provider = new GeminiBatchProvider({ apiKey: 'k', baseURL: emulator.geminiBaseURL, maxRetries: 0 });
    const handle = await provider.submit(writeShard(tempDir(), provider, geminiRequests(4)));
    await emulator.idle();
    clock.advance(5 + 30_000);
    const status = await provider.cancel(handle);
    expect(status).toMatchObject({ state: 'running', rawStatus: 'BATCH_STATE_RUNNING', counts: { total: 4, completed: 2 } });
    clock.advance(5);
    expect(await provider.poll(handle)).toMatchObject({ state: 'ended', rawStatus: 'BATCH_STATE_CANCELLED' });
    expect(await collect(provider.results(handle))).toHaveLength(2);
    expect(emulator.stats().cancels).toBe(1);
  });

  it('maps per-line errors, refusals, truncation, malformed and schema-invalid JSON inside a SUCCEEDED job', async () => {
    const { provider, emulator } = await setup({ seed: 3, lineErrorRate: 0.15, refusalRate: 0.15, truncationRate: 0.15, malformedJsonRate: 0.15, schemaInvalidRate: 0.15 });
    const handle = await provider.submit(writeShard(tempDir(), provider, geminiRequests(80)));
    const status = await pollUntilDone(provider, handle);
    expect(status.rawStatus).toBe('BATCH_STATE_SUCCEEDED');
    const results = await collect(provider.results(handle));
    expect(results).toHaveLength(80);
    const faults = emulator.batchFaults(handle.batchId)!;
    const errored = results.filter((result) => result.outcome === 'errored');
    expect(errored).toHaveLength(faults.lineError);
    expect(status.counts).toEqual({ total: 80, completed: 80 - faults.lineError, failed: faults.lineError });
    for (const result of errored) if (result.outcome === 'errored') expect(result.error).toMatchObject({ code: 'INTERNAL', status: 500, retryable: true });
    const succeeded = results.filter((result) => result.outcome === 'succeeded');
    const refusals = succeeded.filter((result) => result.refusal);
    expect(refusals).toHaveLength(faults.refusal);
    for (const result of refusals) expect(result).toMatchObject({ finishReason: 'safety', text: '' });
    expect(succeeded.filter((result) => result.finishReason === 'max_tokens')).toHaveLength(faults.truncation);
    const schema = compileOutputSchema('qa', QA_SCHEMA);
    const answered = succeeded.filter((result) => !result.refusal && result.finishReason === 'stop');
    const unparseable = answered.filter((result) => !extractJson(result.text).ok);
    const invalid = answered.filter((result) => {
      const parsed = extractJson(result.text);
      return parsed.ok && !schema.validate(parsed.value).ok;
    });
    expect(unparseable).toHaveLength(faults.malformedJson);
    expect(invalid).toHaveLength(faults.schemaInvalid);
    for (const count of [faults.lineError, faults.refusal, faults.truncation, faults.malformedJson, faults.schemaInvalid]) expect(count).toBeGreaterThan(0);
  });

  it('sends a rich schema in the subset responseJsonSchema takes; answers still pass the full schema', async () => {
    const { provider } = await setup();
    const schema = {
      type: 'object',
      $defs: { tag: { type: 'string', pattern: '^[a-z]+$', minLength: 2 } },
      properties: {
        kind: { const: 'faq' },
        contact: { type: ['string', 'null'], format: 'email' },
        tags: { type: 'array', items: { $ref: '#/$defs/tag' }, minItems: 1, maxItems: 3, uniqueItems: true },
        score: { type: 'integer', minimum: 1, maximum: 5, default: 3 },
        answer: { oneOf: [{ type: 'string', maxLength: 200 }, { type: 'number' }] },
      },
      required: ['kind', 'tags', 'score', 'answer'],
    };
    const requests = geminiRequests(6).map((request) => ({ ...request, output: { name: 'rich', jsonSchema: schema, mode: 'native' as const } }));
    const sent = JSON.parse(provider.capabilities.encodeRequest(requests[0]!)).request.generationConfig.responseJsonSchema;
    expect(sent.properties.kind.enum).toEqual(['faq']);
    expect(sent.properties.answer.anyOf).toHaveLength(2);
    expect(JSON.stringify(sent)).not.toMatch(/"(pattern|minLength|maxLength|uniqueItems|default|oneOf)":/);
    const handle = await provider.submit(writeShard(tempDir(), provider, requests));
    await pollUntilDone(provider, handle);
    const validate = compileOutputSchema('rich', schema);
    for (const result of await collect(provider.results(handle))) {
      if (result.outcome !== 'succeeded') throw new Error(`unexpected ${result.outcome}: ${JSON.stringify(result)}`);
      expect(validate.validate(JSON.parse(result.text)).ok).toBe(true);
    }
  });

  it('marks a request the API refuses (INVALID_ARGUMENT) as not retryable', async () => {
    const { provider } = await setup();
    const [good, bad] = geminiRequests(2);
    const handle = await provider.submit(writeShard(tempDir(), provider, [good!, { ...bad!, params: { temperature: 7 } }]));
    await pollUntilDone(provider, handle);
    const results = await collect(provider.results(handle));
    const refused = results.find((result) => result.customId === bad!.customId);
    expect(refused).toMatchObject({ outcome: 'errored', error: { code: 'INVALID_ARGUMENT', status: 400, retryable: false } });
    expect(results.find((result) => result.customId === good!.customId)?.outcome).toBe('succeeded');
  });

  it('puts the schema in the system instruction in prompt mode and gets fenced JSON back', async () => {
    const { provider } = await setup();
    const requests = geminiRequests(3).map((request) => ({ ...request, output: { ...request.output!, mode: 'prompt' as const } }));
    const line = JSON.parse(provider.capabilities.encodeRequest(requests[0]!));
    expect(line.request.generationConfig.responseJsonSchema).toBeUndefined();
    expect(line.request.systemInstruction.parts[0].text).toContain('```json');
    const handle = await provider.submit(writeShard(tempDir(), provider, requests));
    await pollUntilDone(provider, handle);
    const schema = compileOutputSchema('qa', QA_SCHEMA);
    for (const result of await collect(provider.results(handle))) {
      if (result.outcome !== 'succeeded') throw new Error(`unexpected ${result.outcome}`);
      const extracted = extractJson(result.text, { preferObject: true });
      expect(extracted.ok && schema.validate(extracted.value).ok).toBe(true);
    }
  });

  it('runs embeddings as a file job: unit vectors of the asked size, near-identical texts close', async () => {
    const { provider, emulator } = await setup();
    const texts = [
      'How do I reset my mesh router to factory settings?',
      'How do I reset my mesh router to its factory settings?',
      'Which cheese goes best with a dry white wine?',
    ];
    const shard = { ...writeShard(tempDir(), provider, embeddingRequests(texts, 64)), model: 'gemini-embedding-001', kind: 'embedding' as const };
    const handle = await provider.submit(shard);
    expect(handle).toMatchObject({ kind: 'embedding' });
    expect(handle.inputFileId).toMatch(/^files\//);
    expect(await pollUntilDone(provider, handle)).toMatchObject({ state: 'ended', counts: { total: 3, completed: 3 } });
    const vectors = new Map<string, number[]>();
    for (const result of await collect(provider.results(handle))) {
      if (result.outcome !== 'succeeded' || !result.vector) throw new Error(`unexpected ${result.outcome}`);
      expect(result.text).toBe('');
      expect(result.vector).toHaveLength(64);
      expect(norm(result.vector)).toBeCloseTo(1, 5);
      expect(result.usage?.inputTokens).toBeGreaterThan(0);
      vectors.set(result.customId, result.vector);
    }
    const near = cosine(vectors.get('emb-0')!, vectors.get('emb-1')!);
    const far = cosine(vectors.get('emb-0')!, vectors.get('emb-2')!);
    expect(near).toBeGreaterThan(0.85);
    expect(far).toBeLessThan(0.5);
    expect(emulator.stats()).toMatchObject({ filesUploaded: 1, requestsReceived: { gemini: 3 } });
  });

  it('recognises an embedding shard from its lines when the submission does not say its kind', async () => {
    const { provider } = await setup();
    const shard = { ...writeShard(tempDir(), provider, embeddingRequests(['one text', 'another text'])), model: 'gemini-embedding-001' };
    const handle = await provider.submit(shard);
    expect(handle.kind).toBe('embedding');
    await pollUntilDone(provider, handle);
    const results = await collect(provider.results(handle));
    expect(results.map((result) => (result.outcome === 'succeeded' ? result.vector?.length : 0))).toEqual([3072, 3072]);
  });

  it('finds a job it created by display name after a simulated crash, and not another shard\'s', async () => {
    const { provider } = await setup();
    const dir = tempDir();
    const shard = writeShard(dir, provider, geminiRequests(3), 'shard-a');
    const submittedAfter = Date.now();
    const handle = await provider.submit(shard);
    const found = await provider.findSubmitted({ ...shard, submittedAfter, knownBatchIds: new Set() });
    expect(found).toEqual(handle);
    expect(await provider.findSubmitted({ ...shard, submittedAfter, knownBatchIds: new Set([handle.batchId]) })).toBeUndefined();
    const other = writeShard(dir, provider, geminiRequests(3), 'shard-b');
    expect(await provider.findSubmitted({ ...other, submittedAfter, knownBatchIds: new Set() })).toBeUndefined();
  });

  it('reports a 500 on create as ambiguous and sends it exactly once', async () => {
    const { provider, emulator } = await setup({ createErrors: [500] });
    const error = await provider.submit(writeShard(tempDir(), provider, geminiRequests(2))).catch((caught: unknown) => caught);
    expect(ProviderApiError.isInstance(error)).toBe(true);
    expect((error as ProviderApiError).details).toMatchObject({ provider: 'gemini', operation: 'create', statusCode: 500, providerCode: 'INTERNAL', retryable: true, ambiguous: true });
    expect(emulator.stats().createAttempts.gemini).toBe(1);
    expect(emulator.stats().batchesCreated.gemini).toBe(0);
  });

  it('sends a file-path create once too, after the upload', async () => {
    const { provider, emulator } = await setup({ createErrors: [503] }, { inlineMaxBytes: 0 });
    const error = (await provider.submit(writeShard(tempDir(), provider, geminiRequests(2))).catch((caught: unknown) => caught)) as ProviderApiError;
    expect(error.details).toMatchObject({ operation: 'create', statusCode: 503, ambiguous: true });
    expect(emulator.stats()).toMatchObject({ filesUploaded: 1, createAttempts: { gemini: 1 }, batchesCreated: { gemini: 0 } });
  });

  it('reports a 429 RESOURCE_EXHAUSTED on create as retryable, not ambiguous, with the server delay', async () => {
    const { provider } = await setup({ createErrors: [429] });
    const error = (await provider.submit(writeShard(tempDir(), provider, geminiRequests(2))).catch((caught: unknown) => caught)) as ProviderApiError;
    expect(error.details).toMatchObject({ statusCode: 429, providerCode: 'RESOURCE_EXHAUSTED', retryable: true, ambiguous: false, retryAfterMs: 10 });
  });

  it('fails a poll of an unknown job with a not-retryable 404', async () => {
    const { provider } = await setup();
    const error = (await provider
      .poll({ version: 1, provider: 'gemini', model: 'gemini-2.5-flash', batchId: 'batches/doesnotexist' })
      .catch((caught: unknown) => caught)) as ProviderApiError;
    expect(error.details).toMatchObject({ operation: 'retrieve', statusCode: 404, providerCode: 'NOT_FOUND', retryable: false });
  });
});

describe('Gemini wire conversion', () => {
  const provider = new GeminiBatchProvider({ apiKey: 'k' });

  it('encodes one line with key, system instruction, user/model turns and generationConfig', () => {
    const request: ProviderRequest = {
      ...geminiRequests(1)[0]!,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'A question, please.' },
      ],
      params: { temperature: 0.3, top_p: 0.9, max_tokens: 50, seed: 7, stop: 'END', presence_penalty: 0.1, frequency_penalty: 0.2 },
    };
    const line = JSON.parse(provider.capabilities.encodeRequest(request));
    expect(line.key).toBe('req-0000');
    expect(line.request.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }] });
    expect(line.request.contents.map((content: { role: string }) => content.role)).toEqual(['user', 'model', 'user']);
    expect(line.request.generationConfig).toMatchObject({
      temperature: 0.3, topP: 0.9, maxOutputTokens: 50, seed: 7, stopSequences: ['END'], presencePenalty: 0.1, frequencyPenalty: 0.2,
      responseMimeType: 'application/json',
    });
    const schema = line.request.generationConfig.responseJsonSchema;
    // minLength is not in responseJsonSchema's supported list: it is checked locally (and noted for the model).
    expect(schema.properties.question.minLength).toBeUndefined();
    expect(schema.properties.question.description).toContain('minLength');
    expect(schema.properties.level.enum).toEqual(['easy', 'hard']);
    expect(schema.required).toEqual(['question', 'level']);
  });

  it('encodes an embedding request with outputDimensionality', () => {
    expect(JSON.parse(provider.capabilities.encodeRequest(embeddingRequests(['text'], 256)[0]!))).toEqual({
      key: 'emb-0',
      request: { content: { parts: [{ text: 'text' }] }, outputDimensionality: 256 },
    });
  });

  it('reads per-line errors by gRPC code or status word, and which ones are worth retrying', () => {
    expect(convertGeminiResultLine('{"key":"a","error":{"code":3,"message":"bad"}}')).toEqual({
      customId: 'a', outcome: 'errored', error: { code: 'INVALID_ARGUMENT', message: 'bad', status: 400, retryable: false },
    });
    expect(convertGeminiResultLine('{"key":"b","status":{"code":8,"message":"quota"}}')).toMatchObject({ error: { code: 'RESOURCE_EXHAUSTED', retryable: true } });
    expect(convertGeminiResultLine('{"key":"c","error":{"code":500,"message":"x","status":"INTERNAL"}}')).toMatchObject({ error: { code: 'INTERNAL', status: 500, retryable: true } });
    expect(convertGeminiResultLine('not json')).toEqual({ malformed: 'result line is not JSON' });
    expect(convertGeminiResultLine('{"key":"d"}')).toEqual({ customId: 'd', malformed: 'result has neither response nor error' });
  });

  it('joins text parts without thoughts and counts thinking tokens as output', () => {
    const line = JSON.stringify({
      key: 'k',
      response: {
        candidates: [{ content: { parts: [{ text: 'plan', thought: true }, { text: '{"a":' }, { text: '1}' }] }, finishReason: 'MAX_TOKENS' }],
        usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 4, thoughtsTokenCount: 6, cachedContentTokenCount: 3 },
      },
    });
    expect(convertGeminiResultLine(line)).toEqual({
      customId: 'k', outcome: 'succeeded', text: '{"a":1}', finishReason: 'max_tokens', usage: { inputTokens: 10, outputTokens: 10, cachedInputTokens: 3 },
    });
  });

  it('treats RECITATION and a blocked prompt as refusals', () => {
    expect(convertGeminiResultLine('{"key":"r","response":{"candidates":[{"finishReason":"RECITATION"}]}}')).toMatchObject({ refusal: 'stopped by RECITATION', finishReason: 'recitation' });
    expect(convertGeminiResultLine('{"key":"p","response":{"promptFeedback":{"blockReason":"SAFETY"}}}')).toMatchObject({ outcome: 'succeeded', text: '', refusal: 'prompt blocked: SAFETY' });
  });

  it('maps both REST and SDK state words, and int64 string counts with zeros left out', () => {
    expect(['BATCH_STATE_PENDING', 'JOB_STATE_RUNNING', 'BATCH_STATE_SUCCEEDED', 'JOB_STATE_CANCELLED', 'BATCH_STATE_EXPIRED', 'BATCH_STATE_FAILED', 'SOMETHING_NEW'].map(mapGeminiBatchState))
      .toEqual(['running', 'running', 'ended', 'ended', 'ended', 'failed', 'running']);
    expect(mapGeminiBatchStats({ requestCount: '5', successfulRequestCount: '3' })).toEqual({ total: 5, completed: 3, failed: 0 });
    expect(mapGeminiBatchStats(undefined)).toBeUndefined();
  });

  it('names jobs after run and shard', () => {
    expect(jobDisplayName({ runId: 'run-1', shardId: 's-2' })).toBe('synthforge:run-1:s-2');
  });

  it('reports a job that failed with RESOURCE_EXHAUSTED as failed for a full queue', async () => {
    const { provider } = await setup({ failValidationRate: 1 });
    const handle = await provider.submit(writeShard(tempDir(), provider, makeRequests(2, 'gemini-2.5-flash')));
    expect(await pollUntilDone(provider, handle)).toMatchObject({ state: 'failed', failure: 'queue_full', errors: [{ code: 'RESOURCE_EXHAUSTED' }] });
  });

  it('reports a create refused with 429 RESOURCE_EXHAUSTED for enqueued tokens as queue-full: nothing created, not ambiguous', async () => {
    const emulator = await emulators.start({ faults: { timing: { validatingMs: 5, inProgressMs: 60_000, finalizingMs: 5 } }, limits: { geminiMaxEnqueuedTokens: 60 } });
    const provider = new GeminiBatchProvider({ apiKey: 'test-key', baseURL: emulator.geminiBaseURL, maxRetries: 1, timeoutMs: 10_000 });
    const dir = tempDir();
    await provider.submit(writeShard(dir, provider, makeRequests(2, 'gemini-2.5-flash'), 'shard-a'));
    const full = (await provider.submit(writeShard(dir, provider, makeRequests(3, 'gemini-2.5-flash'), 'shard-b')).catch((caught: unknown) => caught)) as ProviderApiError;
    expect(full.code).toBe('provider_queue_full');
    expect(full.details).toMatchObject({ operation: 'create', statusCode: 429, providerCode: 'RESOURCE_EXHAUSTED', ambiguous: false });
    expect(emulator.stats()).toMatchObject({ batchesCreated: { gemini: 1 }, queue: { refused: { gemini: 1 } } });
  });
});

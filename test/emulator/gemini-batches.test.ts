import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoogleGenAI, type BatchJob, type InlinedRequest } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/emulator.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { manualClock, useEmulators, validatorFor, type Harness } from './emulator-harness.js';

const start = useEmulators();
const tempDir = useTempDirs();
const MODEL = 'gemini-2.5-flash';
const TIMING = { validatingMs: 1000, inProgressMs: 4000, finalizingMs: 1000 };

/** responseJsonSchema in the subset Gemini documents (no string lengths or patterns). */
const SCHEMA = {
  type: 'object',
  properties: {
    question: { type: 'string' },
    difficulty: { type: 'string', enum: ['easy', 'medium', 'hard'] },
    tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3 },
  },
  required: ['question', 'difficulty', 'tags'],
} as const;

function gemini(harness: Harness): GoogleGenAI {
  return new GoogleGenAI({ apiKey: 'test-key', vertexai: false, httpOptions: { baseUrl: harness.server.geminiBaseURL } });
}

function generateRequest(index: number, config: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    contents: [{ role: 'user', parts: [{ text: `Write one question about mesh router number ${index}.` }] }],
    systemInstruction: { parts: [{ text: 'You write support questions.' }] },
    generationConfig: { responseMimeType: 'application/json', responseJsonSchema: SCHEMA, ...config },
  };
}

const fileLine = (key: string, request: unknown): string => JSON.stringify({ key, request });

async function upload(harness: Harness, lines: string[]): Promise<string> {
  const path = join(tempDir(), 'input.jsonl');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return (await gemini(harness).files.upload({ file: path, config: { mimeType: 'jsonl', displayName: 'input' } })).name!;
}

async function createFromFile(harness: Harness, lines: string[], displayName = 'job'): Promise<BatchJob> {
  return gemini(harness).batches.create({ model: MODEL, src: await upload(harness, lines), config: { displayName } });
}

/** The REST operation as the API sends it (the SDK's BatchJob drops batchStats and error). */
async function operation(harness: Harness, name: string): Promise<any> {
  const response = await fetch(`${harness.server.url}/v1beta/${name}`, { headers: { 'x-goog-api-key': 'k' } });
  return response.json();
}

async function download(harness: Harness, fileName: string): Promise<any[]> {
  const path = join(tempDir(), 'out.jsonl');
  await gemini(harness).files.download({ file: fileName, downloadPath: path });
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

/** The error a call that must fail throws (the SDK's ApiError: HTTP status, JSON body as message). */
async function failure(call: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await call;
  } catch (error) {
    return error as { status: number; message: string };
  }
  throw new Error('expected the call to fail');
}

const keys = (count: number): string[] => Array.from({ length: count }, (_, index) => `k-${String(index).padStart(3, '0')}`);

describe('Gemini batch mode through the official SDK', () => {
  it('walks PENDING → RUNNING → SUCCEEDED on the clock with live batchStats, output in input order', async () => {
    const harness = await start({ faults: { timing: TIMING } });
    const ai = gemini(harness);
    const ids = keys(8);
    const created = await createFromFile(harness, ids.map((key, index) => fileLine(key, generateRequest(index))), 'walk');
    expect(created).toMatchObject({ state: 'JOB_STATE_PENDING', displayName: 'walk', model: `models/${MODEL}` });
    expect(created.name).toMatch(/^batches\/[a-z0-9]+$/);
    await harness.server.idle();
    expect((await operation(harness, created.name!)).metadata).toMatchObject({ state: 'BATCH_STATE_PENDING', batchStats: { requestCount: '8', pendingRequestCount: '8' } });
    harness.clock.advance(1000);
    const halfway = () => operation(harness, created.name!);
    expect((await halfway()).metadata.state).toBe('BATCH_STATE_RUNNING');
    harness.clock.advance(2000);
    const running = await halfway();
    expect(running.done).toBe(false);
    expect(running.metadata.batchStats).toEqual({ requestCount: '8', successfulRequestCount: '4', pendingRequestCount: '4' });
    harness.clock.advance(2500);
    expect((await halfway()).metadata.state).toBe('BATCH_STATE_RUNNING');
    harness.clock.advance(500);
    const ended = await halfway();
    expect(ended).toMatchObject({ done: true, metadata: { state: 'BATCH_STATE_SUCCEEDED', batchStats: { requestCount: '8', successfulRequestCount: '8' } } });
    expect(ended.metadata.batchStats.pendingRequestCount).toBeUndefined();
    expect(Date.parse(ended.metadata.endTime)).toBe(Date.parse(ended.metadata.createTime) + 6000);
    const job = await ai.batches.get({ name: created.name! });
    expect(job.state).toBe('JOB_STATE_SUCCEEDED');
    const lines = await download(harness, job.dest!.fileName!);
    expect(lines.map((line) => line.key)).toEqual(ids);
    const valid = validatorFor(SCHEMA);
    for (const line of lines) {
      const candidate = line.response.candidates[0];
      expect(candidate.finishReason).toBe('STOP');
      expect(valid(JSON.parse(candidate.content.parts[0].text))).toBe(true);
      expect(line.response.usageMetadata.promptTokenCount).toBeGreaterThan(0);
    }
    expect(harness.server.stats()).toMatchObject({ batchesCreated: { gemini: 1 }, requestsReceived: { gemini: 8 }, filesUploaded: 1 });
  });

  it('answers inline requests inline, echoing each request\'s metadata', async () => {
    const harness = await start();
    const ai = gemini(harness);
    const src: InlinedRequest[] = [0, 1, 2].map((index) => {
      const request = generateRequest(index) as { contents: InlinedRequest['contents']; systemInstruction: unknown; generationConfig: Record<string, unknown> };
      return { contents: request.contents, metadata: { key: `inline-${index}`, note: 'kept' }, config: { ...request.generationConfig, systemInstruction: request.systemInstruction as never } };
    });
    const created = await ai.batches.create({ model: MODEL, src, config: { displayName: 'inline' } });
    await harness.settle();
    const job = await ai.batches.get({ name: created.name! });
    expect(job.state).toBe('JOB_STATE_SUCCEEDED');
    expect(job.dest?.fileName).toBeUndefined();
    const responses = job.dest!.inlinedResponses!;
    expect(responses.map((entry) => entry.metadata)).toEqual([0, 1, 2].map((index) => ({ key: `inline-${index}`, note: 'kept' })));
    const valid = validatorFor(SCHEMA);
    for (const entry of responses) expect(valid(JSON.parse(entry.response!.candidates![0]!.content!.parts![0]!.text!))).toBe(true);
    expect(harness.server.stats().filesUploaded).toBe(0);
  });

  it('turns requests the API would refuse into INVALID_ARGUMENT lines inside a SUCCEEDED job', async () => {
    const harness = await start();
    const lines = [
      fileLine('ok', generateRequest(0)),
      fileLine('min-length', generateRequest(1, { responseJsonSchema: { type: 'object', properties: { q: { type: 'string', minLength: 3 } } } })),
      fileLine('snake-typo', generateRequest(2, { max_tokens: 10 })),
      fileLine('no-mime', { ...generateRequest(3), generationConfig: { responseJsonSchema: SCHEMA } }),
      fileLine('temperature', generateRequest(4, { temperature: 3 })),
      fileLine('ref-siblings', generateRequest(5, { responseJsonSchema: { $defs: { a: { type: 'string' } }, type: 'object', properties: { x: { $ref: '#/$defs/a', description: 'no' } } } })),
      fileLine('snake-ok', { contents: [{ parts: [{ text: 'hi' }] }], generation_config: { max_output_tokens: 20 } }),
    ];
    const created = await createFromFile(harness, lines);
    await harness.settle();
    const op = await operation(harness, created.name!);
    expect(op.metadata.state).toBe('BATCH_STATE_SUCCEEDED');
    expect(op.metadata.batchStats).toEqual({ requestCount: '7', successfulRequestCount: '2', failedRequestCount: '5' });
    const byKey = new Map((await download(harness, op.metadata.output.responsesFile)).map((line) => [line.key, line]));
    expect(byKey.get('ok')!.response).toBeDefined();
    expect(byKey.get('snake-ok')!.response).toBeDefined();
    expect(byKey.get('min-length')!.error).toMatchObject({ code: 3, message: expect.stringContaining('minLength') });
    expect(byKey.get('snake-typo')!.error.message).toContain('Unknown name "max_tokens"');
    expect(byKey.get('no-mime')!.error.message).toContain('application/json');
    expect(byKey.get('temperature')!.error.message).toContain('temperature');
    expect(byKey.get('ref-siblings')!.error.message).toContain('$ref');
  });

  it('applies the line faults: INTERNAL errors, SAFETY stops, MAX_TOKENS cuts, broken JSON, and counts them', async () => {
    const harness = await start({ faults: { seed: 5, lineErrorRate: 0.2, refusalRate: 0.2, truncationRate: 0.2, malformedJsonRate: 0.15, schemaInvalidRate: 0.15 } });
    const ids = keys(60);
    const created = await createFromFile(harness, ids.map((key, index) => fileLine(key, generateRequest(index))));
    await harness.settle();
    const op = await operation(harness, created.name!);
    const lines = await download(harness, op.metadata.output.responsesFile);
    const faults = harness.server.batchFaults(created.name!)!;
    const errors = lines.filter((line) => line.error);
    expect(errors).toHaveLength(faults.lineError);
    for (const line of errors) expect(line.error).toEqual({ code: 13, message: 'Internal error encountered.' });
    const candidates = lines.filter((line) => line.response).map((line) => line.response.candidates[0]);
    const safety = candidates.filter((candidate) => candidate.finishReason === 'SAFETY');
    expect(safety).toHaveLength(faults.refusal);
    for (const candidate of safety) expect(candidate.content).toBeUndefined();
    expect(candidates.filter((candidate) => candidate.finishReason === 'MAX_TOKENS')).toHaveLength(faults.truncation);
    const valid = validatorFor(SCHEMA);
    let broken = 0;
    let invalid = 0;
    for (const candidate of candidates.filter((item) => item.finishReason === 'STOP')) {
      try {
        if (!valid(JSON.parse(candidate.content.parts[0].text))) invalid++;
      } catch {
        broken++;
      }
    }
    expect(broken).toBe(faults.malformedJson);
    expect(invalid).toBe(faults.schemaInvalid);
    for (const count of [faults.lineError, faults.refusal, faults.truncation, faults.malformedJson, faults.schemaInvalid]) expect(count).toBeGreaterThan(0);
    expect(harness.server.stats().faultsInjected).toMatchObject({ lineError: faults.lineError, refusal: faults.refusal, truncation: faults.truncation });
    expect(op.metadata.batchStats.failedRequestCount).toBe(String(faults.lineError));
  });

  it('plants near-duplicates: an answer equal to an earlier one but for one word', async () => {
    const harness = await start({ faults: { seed: 2, nearDuplicateRate: 0.4 } });
    const created = await createFromFile(harness, keys(30).map((key, index) => fileLine(key, generateRequest(index))));
    await harness.settle();
    const op = await operation(harness, created.name!);
    const texts: string[] = (await download(harness, op.metadata.output.responsesFile)).map((line) => line.response.candidates[0].content.parts[0].text);
    const words = (text: string) => text.split(/\s+/);
    const oneWordApart = (left: string, right: string) => {
      const [a, b] = [words(left), words(right)];
      return a.length === b.length && a.filter((word, index) => word !== b[index]).length === 1;
    };
    const twins = texts.filter((text, index) => texts.slice(0, index).some((earlier) => oneWordApart(earlier, text)));
    const planted = harness.server.batchFaults(created.name!)!.nearDuplicate;
    expect(planted).toBeGreaterThan(0);
    expect(twins.length).toBeGreaterThanOrEqual(planted);
  });

  it('expires with partial results: the lines that ran are in the output, the rest are pending', async () => {
    const harness = await start({ faults: { expireRate: 1 } });
    const created = await createFromFile(harness, keys(20).map((key, index) => fileLine(key, generateRequest(index))));
    await harness.settle();
    const op = await operation(harness, created.name!);
    expect(op).toMatchObject({ done: true, metadata: { state: 'BATCH_STATE_EXPIRED' } });
    const lines = await download(harness, op.metadata.output.responsesFile);
    const faults = harness.server.batchFaults(created.name!)!;
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length + faults.expiredLines).toBe(20);
    expect(op.metadata.batchStats).toEqual({ requestCount: '20', successfulRequestCount: String(lines.length), pendingRequestCount: String(faults.expiredLines) });
    expect(faults.expiredBatches).toBe(1);
    expect((await gemini(harness).batches.get({ name: created.name! })).state).toBe('JOB_STATE_EXPIRED');
  });

  it('fails a job as a whole on the quota fault or an unreadable line', async () => {
    const harness = await start({ faults: { failValidationRate: 1 } });
    const quota = await createFromFile(harness, [fileLine('a', generateRequest(0))]);
    await harness.settle();
    const failed = await operation(harness, quota.name!);
    expect(failed).toMatchObject({ done: true, metadata: { state: 'BATCH_STATE_FAILED' }, error: { code: 8 } });
    expect(failed.metadata.output).toBeUndefined();
    expect(harness.server.stats().faultsInjected.failedValidationBatches).toBe(1);
    harness.server.configure({ failValidationRate: 0 });
    const broken = await createFromFile(harness, [fileLine('a', generateRequest(0)), '{not json', fileLine('a', generateRequest(1))]);
    await harness.settle();
    expect(await operation(harness, broken.name!)).toMatchObject({ metadata: { state: 'BATCH_STATE_FAILED' }, error: { code: 3, message: 'Invalid JSON on line 2 of the input file.' } });
    const duplicate = await createFromFile(harness, [fileLine('a', generateRequest(0)), fileLine('a', generateRequest(1))]);
    await harness.settle();
    expect((await operation(harness, duplicate.name!)).error.message).toContain('Duplicate key "a"');
    expect((await gemini(harness).batches.get({ name: duplicate.name! })).state).toBe('JOB_STATE_FAILED');
  });

  it('cancels a running job: it stays RUNNING until the cancel lands, then ends CANCELLED with what ran', async () => {
    const harness = await start({ faults: { timing: TIMING } });
    const ai = gemini(harness);
    const created = await createFromFile(harness, keys(10).map((key, index) => fileLine(key, generateRequest(index))));
    await harness.server.idle();
    harness.clock.advance(1000 + 2000);
    await ai.batches.cancel({ name: created.name! });
    expect((await ai.batches.get({ name: created.name! })).state).toBe('JOB_STATE_RUNNING');
    harness.clock.advance(1000);
    const op = await operation(harness, created.name!);
    expect(op.metadata.state).toBe('BATCH_STATE_CANCELLED');
    expect(await download(harness, op.metadata.output.responsesFile)).toHaveLength(5);
    expect(harness.server.batchFaults(created.name!)?.cancelledLines).toBe(5);
    const again = await failure(ai.batches.cancel({ name: created.name! }));
    expect(again.status).toBe(400);
    expect(again.message).toContain('FAILED_PRECONDITION');
    expect(harness.server.stats().cancels).toBe(1);
    const early = await createFromFile(harness, keys(3).map((key, index) => fileLine(key, generateRequest(index))));
    await ai.batches.cancel({ name: early.name! });
    expect((await operation(harness, early.name!)).metadata.state).toBe('BATCH_STATE_PENDING');
    await harness.server.idle();
    harness.clock.advance(1000);
    const cancelledEarly = await operation(harness, early.name!);
    expect(cancelledEarly).toMatchObject({ done: true, metadata: { state: 'BATCH_STATE_CANCELLED' } });
    expect(cancelledEarly.metadata.output).toBeUndefined();
  });

  it('refuses bad creates at once, and injects create errors like a quota 429 with RetryInfo', async () => {
    const harness = await start({ limits: { geminiMaxInlineBytes: 4096 }, faults: { createErrors: [429, 500] } });
    const ai = gemini(harness);
    const src = [{ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], metadata: { key: 'a' } }];
    const quota = await failure(ai.batches.create({ model: MODEL, src, config: { displayName: 'x' } }));
    expect(quota.status).toBe(429);
    expect(JSON.parse(quota.message).error).toMatchObject({ status: 'RESOURCE_EXHAUSTED', details: [{ retryDelay: '0.010s' }] });
    expect((await failure(ai.batches.create({ model: MODEL, src, config: { displayName: 'x' } }))).status).toBe(500);
    const refusals = [
      ai.batches.create({ model: MODEL, src }),
      ai.batches.create({ model: 'gemini-embedding-001', src, config: { displayName: 'x' } }),
      ai.batches.create({ model: MODEL, src: 'files/nosuchfile', config: { displayName: 'x' } }),
      ai.batches.create({ model: MODEL, src: [{ ...src[0]!, contents: [{ role: 'user', parts: [{ text: 'x'.repeat(5000) }] }] }], config: { displayName: 'x' } }),
    ];
    const statuses = await Promise.all(refusals.map((call) => call.then(() => 200, (caught: { status: number; message: string }) => `${caught.status} ${JSON.parse(caught.message).error.status}`)));
    expect(statuses).toEqual(['400 INVALID_ARGUMENT', '400 INVALID_ARGUMENT', '403 PERMISSION_DENIED', '400 INVALID_ARGUMENT']);
    expect(harness.server.stats()).toMatchObject({ createAttempts: { gemini: 6 }, batchesCreated: { gemini: 0 }, faultsInjected: { createErrors: 2 } });
  });

  it('runs batch embeddings from a file and inline: unit vectors of the asked size, near-identical texts close', async () => {
    const harness = await start();
    const ai = gemini(harness);
    const texts = ['Reset the mesh router to factory settings', 'Reset the mesh router to its factory settings', 'A recipe for lemon cake with poppy seeds'];
    const name = await upload(harness, texts.map((text, index) => fileLine(`e${index}`, { content: { parts: [{ text }] }, outputDimensionality: 32 })));
    const fromFile = await ai.batches.createEmbeddings({ model: 'gemini-embedding-001', src: { fileName: name }, config: { displayName: 'emb' } });
    const inline = await ai.batches.createEmbeddings({
      model: 'gemini-embedding-001',
      src: { inlinedRequests: { contents: texts, config: { outputDimensionality: 16 } } },
      config: { displayName: 'emb-inline' },
    });
    await harness.settle();
    const fileJob = await ai.batches.get({ name: fromFile.name! });
    const lines = await download(harness, fileJob.dest!.fileName!);
    const fileVectors = lines.map((line) => line.response.embedding.values as number[]);
    const inlineVectors = (await ai.batches.get({ name: inline.name! })).dest!.inlinedEmbedContentResponses!.map((entry) => entry.response!.embedding!.values!);
    for (const [vectors, size] of [[fileVectors, 32], [inlineVectors, 16]] as const) {
      expect(vectors).toHaveLength(3);
      for (const vector of vectors) {
        expect(vector).toHaveLength(size);
        expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
      }
      const dot = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);
      expect(dot(vectors[0]!, vectors[1]!)).toBeGreaterThan(0.85);
      expect(dot(vectors[0]!, vectors[2]!)).toBeLessThan(0.5);
    }
    expect(lines.map((line) => line.key)).toEqual(['e0', 'e1', 'e2']);
    expect(Number(lines[0].response.tokenCount)).toBeGreaterThan(0);
    const wrongModel = await failure(ai.batches.createEmbeddings({ model: MODEL, src: { fileName: name }, config: { displayName: 'x' } }));
    expect(wrongModel.status).toBe(400);
  });

  it('refuses embedding lines the API would: a generate request, a size above the model\'s', async () => {
    const harness = await start();
    const ai = gemini(harness);
    const name = await upload(harness, [
      fileLine('ok', { content: { parts: [{ text: 'fine' }] } }),
      fileLine('chat', generateRequest(0)),
      fileLine('huge', { content: { parts: [{ text: 'too big' }] }, outputDimensionality: 5000 }),
    ]);
    const job = await ai.batches.createEmbeddings({ model: 'gemini-embedding-001', src: { fileName: name }, config: { displayName: 'emb' } });
    await harness.settle();
    const lines = await download(harness, (await ai.batches.get({ name: job.name! })).dest!.fileName!);
    expect(lines[0].response.embedding.values).toHaveLength(3072);
    expect(lines[1].error).toMatchObject({ code: 3, message: expect.stringContaining('Unknown name "contents"') });
    expect(lines[2].error.message).toContain('output_dimensionality');
  });

  it('lists jobs newest first across pages (no nextPageToken on the last one), and deletes ended jobs only', async () => {
    const harness = await start({ faults: { timing: TIMING } });
    const ai = gemini(harness);
    const names: string[] = [];
    for (let index = 0; index < 5; index++) {
      names.push((await ai.batches.create({ model: MODEL, src: [{ contents: [{ role: 'user', parts: [{ text: `q${index}` }] }], metadata: { key: 'a' } }], config: { displayName: `job-${index}` } })).name!);
      harness.clock.advance(10);
    }
    const listed: string[] = [];
    for await (const job of await ai.batches.list({ config: { pageSize: 2 } })) listed.push(job.name!);
    expect(listed).toEqual([...names].reverse());
    const response = await fetch(`${harness.server.url}/v1beta/batches?pageSize=2`, { headers: { 'x-goog-api-key': 'k' } });
    const first = (await response.json()) as { operations: unknown[]; nextPageToken?: string };
    expect(first.operations).toHaveLength(2);
    const last = (await (await fetch(`${harness.server.url}/v1beta/batches?pageSize=4&pageToken=${first.nextPageToken}`, { headers: { 'x-goog-api-key': 'k' } })).json()) as Record<string, unknown>;
    expect(last).not.toHaveProperty('nextPageToken');
    const running = await failure(ai.batches.delete({ name: names[0]! }));
    expect(running.status).toBe(400);
    await harness.settle();
    await ai.batches.delete({ name: names[0]! });
    expect((await failure(ai.batches.get({ name: names[0]! }))).status).toBe(404);
  });

  it('keeps ended jobs and their responses files across a restart on the same data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'synthforge-gemini-emulator-'));
    try {
      const clock = manualClock();
      const first = await startEmulator({ dataDir, clock: clock.now });
      const harness = { server: first, clock } as unknown as Harness;
      const created = await createFromFile(harness, [fileLine('a', generateRequest(0)), fileLine('b', generateRequest(1))]);
      await first.idle();
      clock.advance(3_600_000);
      const before = await operation(harness, created.name!);
      await first.close();
      const second = await startEmulator({ dataDir, clock: clock.now });
      const again = { server: second, clock } as unknown as Harness;
      const after = await operation(again, created.name!);
      expect(after.metadata).toMatchObject({ state: 'BATCH_STATE_SUCCEEDED', output: before.metadata.output });
      expect((await download(again, after.metadata.output.responsesFile)).map((line) => line.key)).toEqual(['a', 'b']);
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

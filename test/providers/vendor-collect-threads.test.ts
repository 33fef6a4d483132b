import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicBatchProvider } from '../../src/providers/anthropic/anthropic-batch-provider.js';
import type { BatchHandle, BatchItemResult, BatchProvider, BatchStatus, ShardSubmission } from '../../src/providers/batch-provider.js';
import { GeminiBatchProvider } from '../../src/providers/gemini/gemini-batch-provider.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { collectShards, type Collected, expectEchoedKeyRedacted } from '../helpers/collect-shards.js';

const tempDir = useTempDirs();
const SECRET = 'sk-test-secret-0123456789abcdef';
const savedThreads = process.env.SYNTHFORGE_COLLECT_THREADS;

afterEach(() => {
  if (savedThreads === undefined) delete process.env.SYNTHFORGE_COLLECT_THREADS;
  else process.env.SYNTHFORGE_COLLECT_THREADS = savedThreads;
});

type Vendor = 'anthropic' | 'gemini-file' | 'gemini-inline';

const answer = (line: number, confidence = 3): string => JSON.stringify({ answer: `a support answer long enough to pass, number ${line}`, confidence, topics: ['wifi'] });
/** A key a careless server echoed in an error, plain and JSON-escaped (`\u0073k-…`). */
const echoed = (line: number): string => (line % 2 === 0 ? `upstream failed for key ${SECRET}` : `escaped key \\u0073${SECRET.slice(1)}`);

function anthropicMessage(id: string, text: string, stop: string): string {
  const message = { model: 'claude-haiku-4-5', content: text ? [{ type: 'text', text }] : [], stop_reason: stop, usage: { input_tokens: 50, output_tokens: 20, cache_read_input_tokens: 7 } };
  return JSON.stringify({ custom_id: id, result: { type: 'succeeded', message } });
}

function geminiResponse(key: string, text: string, reason: string): string {
  const response = { candidates: [{ content: { role: 'model', parts: text ? [{ text }] : [] }, finishReason: reason }], usageMetadata: { promptTokenCount: 50, candidatesTokenCount: 20 }, modelVersion: 'gemini-2.5-flash' };
  return JSON.stringify({ key, response });
}

/**
 * Every kind of line a shard's results can hold, in a fixed order: valid answers, not-JSON, schema
 * violations, refusals / safety blocks, truncations, provider errors echoing the key, malformed
 * lines, expired lines or blocked prompts, repeated deliveries, ids of another shard or past the
 * shard's end, lines with no usable id, and requests with no result at all.
 */
function resultLines(vendor: Vendor, ids: string[]): string[] {
  const lines: string[] = [];
  const ok = vendor === 'anthropic' ? (id: string, text: string, stop = 'end_turn') => anthropicMessage(id, text, stop) : (id: string, text: string, stop = 'STOP') => geminiResponse(id, text, stop);
  ids.forEach((id, line) => {
    switch (line % 13) {
      case 0: case 1: case 2: lines.push(ok(id, answer(line))); break;
      case 3: lines.push(ok(id, `not json, line ${line}`)); break;
      case 4: lines.push(ok(id, answer(line, 9))); break;
      case 5: lines.push(vendor === 'anthropic' ? ok(id, '', 'refusal') : ok(id, '', 'SAFETY')); break;
      case 6: lines.push(vendor === 'anthropic' ? ok(id, answer(line).slice(0, 30), 'max_tokens') : ok(id, answer(line).slice(0, 30), 'MAX_TOKENS')); break;
      case 7: case 8:
        lines.push(
          vendor === 'anthropic'
            ? JSON.stringify({ custom_id: id, result: { type: 'errored', error: { type: 'error', error: { type: 'api_error', message: 'ZZZ' } } } }).replace('ZZZ', echoed(line))
            : JSON.stringify({ key: id, error: { code: 13, message: 'ZZZ', status: 'INTERNAL' } }).replace('ZZZ', echoed(line)),
        );
        break;
      case 9:
        // Gemini: a line with neither response nor error, or a response the conversion cannot read (the SDK
        // reshapes such an inline response before we see it, which is why the inline job has the first kind too).
        if (vendor === 'anthropic') lines.push(JSON.stringify({ custom_id: id, result: { type: 'succeeded', message: { content: 'not blocks' } } }));
        else lines.push(JSON.stringify(Math.floor(line / 13) % 2 === 0 ? { key: id } : { key: id, response: { candidates: [{ content: { parts: [null] } }] } }));
        break;
      case 10: lines.push(vendor === 'anthropic' ? JSON.stringify({ custom_id: id, result: { type: 'expired' } }) : JSON.stringify({ key: id, response: { promptFeedback: { blockReason: 'SAFETY' } } })); break;
      case 11: lines.push(ok(id, answer(line)), ok(id, answer(line, 4))); break;
      case 12: break; // missing
    }
  });
  const idField = vendor === 'anthropic' ? 'custom_id' : 'key';
  lines.push(ok('another-shard-3', answer(3)), ok(`${ids[0]!.replace(/-\d+$/, '')}-${ids.length + 5}`, answer(1)), 'not a result line at all', JSON.stringify({ [idField]: 7, result: { type: 'expired' } }), JSON.stringify({ response: {} }));
  return lines;
}

/** Serves scripted results the way each vendor's API hands them out: an ended batch or job, then its lines. */
class ScriptedServer {
  private server!: Server;
  private readonly batches = new Map<string, { vendor: Vendor; lines: string[] }>();
  baseURL = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', this.baseURL);
      const send = (status: number, body: string, type = 'application/json'): void => {
        response.writeHead(status, { 'content-type': type });
        response.end(body);
      };
      let match = /^\/v1\/messages\/batches\/([^/]+)$/.exec(url.pathname);
      if (match) return send(200, JSON.stringify(this.anthropicBatch(match[1]!)));
      match = /^\/anthropic-results\/([^/]+)$/.exec(url.pathname);
      if (match) return send(200, `${this.batches.get(match[1]!)!.lines.join('\n')}\n`, 'application/binary');
      match = /^\/v1beta\/batches\/([^/:]+)$/.exec(url.pathname);
      if (match) return send(200, JSON.stringify(this.geminiOperation(match[1]!)));
      match = /^\/(?:download\/)?v1beta\/files\/([^/:]+):download$/.exec(url.pathname);
      if (match) return send(200, `${this.batches.get(match[1]!)!.lines.join('\r\n')}\r\n`, 'application/octet-stream');
      send(404, JSON.stringify({ error: { message: `no route ${url.pathname}` } }));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.baseURL = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  add(vendor: Vendor, lines: string[]): string {
    const id = `scripted${this.batches.size}`;
    this.batches.set(id, { vendor, lines });
    return id;
  }

  private anthropicBatch(id: string): Record<string, unknown> {
    const time = '2026-01-01T00:00:00Z';
    return {
      id, type: 'message_batch', processing_status: 'ended', created_at: time, ended_at: time, expires_at: time, archived_at: null, cancel_initiated_at: null,
      request_counts: { processing: 0, succeeded: 1, errored: 0, canceled: 0, expired: 0 }, results_url: `${this.baseURL}/anthropic-results/${id}`,
    };
  }

  /** An inline job holds the JSON lines with a key as `{response | error, metadata: {key}}` entries. */
  private geminiOperation(id: string): Record<string, unknown> {
    const { vendor, lines } = this.batches.get(id)!;
    const inline = lines.flatMap((line) => {
      try {
        const { key, ...rest } = JSON.parse(line) as Record<string, unknown>;
        return [{ ...rest, ...(typeof key === 'string' ? { metadata: { key } } : {}) }];
      } catch {
        return [];
      }
    });
    const output = vendor === 'gemini-inline' ? { inlinedResponses: { inlinedResponses: inline } } : { responsesFile: `files/${id}` };
    const name = `batches/${id}`;
    return { name, done: true, metadata: { '@type': 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch', name, model: 'models/gemini-2.5-flash', displayName: id, state: 'BATCH_STATE_SUCCEEDED', output } };
  }
}

const server = new ScriptedServer();
beforeAll(() => server.start());
afterAll(() => server.close());

/**
 * The vendor's real adapter for everything collect does (results, resultChunks, resultDecoder);
 * submit registers the shard's scripted results with the server and poll says the batch ended.
 */
function scriptedAdapter(vendor: Vendor): BatchProvider {
  const adapter =
    vendor === 'anthropic'
      ? new AnthropicBatchProvider({ apiKey: 'test-key', baseURL: server.baseURL, maxRetries: 0 })
      : new GeminiBatchProvider({ apiKey: 'test-key', baseURL: server.baseURL, maxRetries: 0 });
  const idField = vendor === 'anthropic' ? 'custom_id' : 'key';
  return Object.assign(Object.create(adapter) as BatchProvider, {
    submit: async (shard: ShardSubmission): Promise<BatchHandle> => {
      const ids = readFileSync(shard.inputPath, 'utf8').split('\n').filter(Boolean).map((text) => (JSON.parse(text) as Record<string, string>)[idField]!);
      const id = server.add(vendor, resultLines(vendor, ids));
      return { version: 1, provider: adapter.id, model: shard.model, batchId: vendor === 'anthropic' ? id : `batches/${id}` };
    },
    poll: (): Promise<BatchStatus> => Promise.resolve({ state: 'ended', rawStatus: 'ended' }),
  });
}

/** Plans `records` requests in shards of 150, drives every shard to collected, and returns what collecting left. */
async function collectWith(vendor: Vendor, threads: string, records = 400, wrap: (provider: BatchProvider) => BatchProvider = (provider) => provider): Promise<Collected> {
  process.env.SYNTHFORGE_COLLECT_THREADS = threads;
  const model = vendor === 'anthropic' ? 'anthropic/claude-haiku-4-5' : 'gemini/gemini-2.5-flash';
  return collectShards(tempDir(), { records, model, provider: wrap(scriptedAdapter(vendor)) });
}

const OUTCOMES: Record<Vendor, string[]> = {
  anthropic: ['not_json', 'schema_violation', 'refusal', 'truncated', 'provider_error', 'expired', 'missing'],
  'gemini-file': ['not_json', 'schema_violation', 'refusal', 'truncated', 'provider_error', 'missing'],
  'gemini-inline': ['not_json', 'schema_violation', 'refusal', 'truncated', 'provider_error', 'missing'],
};

describe('the decoder modules', () => {
  it('read a line of an unexpected shape as malformed_result_line for its id, and drop a line without a usable id', async () => {
    const anthropic = await import('../../src/providers/anthropic/anthropic-result-decoder.js');
    const gemini = await import('../../src/providers/gemini/gemini-result-decoder.js');
    const malformed = (customId: string, message: string): BatchItemResult => ({ customId, outcome: 'errored', error: { code: 'malformed_result_line', message, retryable: true } });
    expect(anthropic.decodeResultLine('{"custom_id":"a","result":{"type":"succeeded","message":{"content":"x"}}}')).toEqual(malformed('a', 'succeeded result has no message content'));
    expect(anthropic.decodeResultLine('{"custom_id":"a","result":null}')).toEqual(malformed('a', 'result line has no result type'));
    expect(anthropic.decodeResultLine('{"custom_id":"a","result":{"type":"errored","error":"boom"}}')).toEqual(malformed('a', 'errored result has an unreadable error'));
    expect(anthropic.decodeResultLine('{"custom_id":"a","result":{"type":"later"}}')).toMatchObject({ customId: 'a', outcome: 'errored', error: { code: 'unknown_result_type' } });
    for (const line of ['not json', '[1]', '{"custom_id":7,"result":{"type":"expired"}}', '{"result":{"type":"expired"}}']) expect(anthropic.decodeResultLine(line)).toBeUndefined();
    expect(gemini.decodeResultLine('{"key":"g","response":{"candidates":[{"content":{"parts":[null]}}]}}')).toEqual(malformed('g', 'response has an unexpected shape'));
    expect(gemini.decodeResultLine('{"key":"g"}')).toEqual(malformed('g', 'result has neither response nor error'));
    for (const line of ['not json', '{"key":1,"response":{}}']) expect(gemini.decodeResultLine(line)).toBeUndefined();
    expect(anthropic.normalizeAnswer({ a: null }, {}, 'native')).toEqual({ a: null });
    expect(gemini.normalizeAnswer({ a: null }, {}, 'native')).toEqual({ a: null });
  });
});

describe('collecting Anthropic and Gemini results on threads', () => {
  for (const vendor of ['anthropic', 'gemini-file', 'gemini-inline'] as const) {
    it(`${vendor}: writes the same answers, invalid and positions files and stores the same rows with 0 and 2 threads`, async () => {
      const inThread = await collectWith(vendor, '0');
      const written = inThread.files.join('');
      for (const outcome of OUTCOMES[vendor]) expect(written).toContain(`"outcome":"${outcome}"`);
      expect(written).toContain('malformed_result_line');
      expect(inThread.errors).toEqual([]);
      const threaded = await collectWith(vendor, '2');
      expect(threaded.files).toEqual(inThread.files);
      expect(threaded.outcomes).toEqual(inThread.outcomes);
      expect(threaded.responses).toEqual(inThread.responses);
      expect(threaded.ledger).toEqual(inThread.ledger);
      expect(threaded.errors).toEqual(inThread.errors);
    });
  }

  for (const vendor of ['anthropic', 'gemini-file'] as const) {
    it(`${vendor}: never writes a key a result line echoed, plain or JSON-escaped, whichever thread decodes it`, async () => {
      await expectEchoedKeyRedacted((threads, records, wrap) => collectWith(vendor, threads, records, wrap), SECRET, 'TEST_API_KEY');
    });
  }

  it('decodes on the threads (a decoder that throws there fails the collect with a coded error), for each vendor', async () => {
    const decoder = join(tempDir(), 'throwing-decoder.mjs');
    writeFileSync(decoder, "export function decodeResultLine() { throw new Error('decoder bug'); }\nexport const normalizeAnswer = (value) => value;\n");
    const broken = (provider: BatchProvider): BatchProvider => Object.assign(Object.create(provider) as BatchProvider, { resultDecoder: { module: pathToFileURL(decoder).href } });
    for (const vendor of ['anthropic', 'gemini-file', 'gemini-inline'] as const) {
      const threaded = await collectWith(vendor, '2', 200, broken);
      expect(threaded.errors).toHaveLength(2);
      expect(threaded.errors[0]).toMatch(/^a collect thread failed: Error: decoder bug/);
    }
  });

  it('yields from results() exactly the lines of resultChunks() through the decoder module, inline Gemini responses included', async () => {
    for (const vendor of ['anthropic', 'gemini-file', 'gemini-inline'] as const) {
      const adapter = scriptedAdapter(vendor);
      const id = server.add(vendor, resultLines(vendor, ['sf-a-0', 'sf-a-1', 'sf-a-2', 'sf-a-3', 'sf-a-4', 'sf-a-5', 'sf-a-6', 'sf-a-7', 'sf-a-8', 'sf-a-9', 'sf-a-10', 'sf-a-11']));
      const batch: BatchHandle = { version: 1, provider: adapter.id, model: 'm', batchId: vendor === 'anthropic' ? id : `batches/${id}` };
      const results: BatchItemResult[] = [];
      for await (const result of adapter.results(batch)) results.push(result);
      const decoder = (await import(adapter.resultDecoder!.module)) as { decodeResultLine(line: string): BatchItemResult | undefined };
      const decoded: BatchItemResult[] = [];
      for await (const chunk of adapter.resultChunks!(batch)) {
        for (const line of Buffer.from(chunk).toString('utf8').split(/\r?\n/)) {
          const result = line.trim() === '' ? undefined : decoder.decodeResultLine(line);
          if (result) decoded.push(result);
        }
      }
      expect(decoded).toEqual(results);
      expect(results.filter((result) => result.customId === 'sf-a-11')).toHaveLength(2);
      expect(results.find((result) => result.customId === 'sf-a-9')).toMatchObject({ outcome: 'errored', error: { code: 'malformed_result_line' } });
    }
  });
});

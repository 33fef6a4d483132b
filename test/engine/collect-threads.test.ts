import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type CompiledBatchStep } from '../../src/engine/compile-recipe.js';
import { collectThreads } from '../../src/engine/judge-on-threads.js';
import type { BatchHandle, BatchProvider } from '../../src/providers/batch-provider.js';
import { wholeLineChunks } from '../../src/dataset/line-chunks.js';
import type { EmulatedResultWriter } from '../../bench/emulated-results.js';
import { FileBatchProvider } from '../../bench/file-batch-provider.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { collectShards, type Collected, expectEchoedKeyRedacted } from '../helpers/collect-shards.js';

const tempDir = useTempDirs();
const SECRET = 'sk-test-secret-0123456789abcdef';
const savedThreads = process.env.SYNTHFORGE_COLLECT_THREADS;

afterEach(() => {
  if (savedThreads === undefined) delete process.env.SYNTHFORGE_COLLECT_THREADS;
  else process.env.SYNTHFORGE_COLLECT_THREADS = savedThreads;
});

function completion(customId: string, content: string | null, extra: { finish?: string; refusal?: string; tokens?: number } = {}): string {
  const body = {
    object: 'chat.completion',
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: extra.refusal ?? null }, finish_reason: extra.finish ?? 'stop' }],
    usage: { prompt_tokens: 50, completion_tokens: extra.tokens ?? 20, prompt_tokens_details: { cached_tokens: 7 } },
  };
  return JSON.stringify({ id: `b-${customId}`, custom_id: customId, response: { status_code: 200, request_id: 'r', body }, error: null });
}

function httpError(customId: string, status: number, message: string): string {
  return JSON.stringify({ custom_id: customId, response: { status_code: status, body: { error: { message, type: 'server_error', code: null } } }, error: null });
}

const answer = (line: number, confidence = 3): string => JSON.stringify({ answer: `a support answer long enough to pass, number ${line}`, confidence, topics: ['wifi'] });

/**
 * Every kind of line a shard's results can hold, in a fixed order: valid answers, not-JSON, schema
 * violations, refusals, truncations, provider errors (one echoing the key, plain and JSON-escaped),
 * malformed lines, expired lines, repeated deliveries, ids of another shard or past the shard's end,
 * a line with no id, and lines with no result at all.
 */
function resultLines(customIds: string[]): { output: string[]; errors: string[] } {
  const output: string[] = [];
  const errors: string[] = [];
  customIds.forEach((id, line) => {
    switch (line % 13) {
      case 0: case 1: case 2: output.push(completion(id, answer(line))); break;
      case 3: output.push(completion(id, `not json, line ${line}`)); break;
      case 4: output.push(completion(id, answer(line, 9))); break;
      case 5: output.push(completion(id, null, { refusal: 'I cannot help with that', finish: 'stop' })); break;
      case 6: output.push(completion(id, answer(line).slice(0, 30), { finish: 'length' })); break;
      case 7: errors.push(httpError(id, 500, `upstream failed for key ${SECRET}`)); break;
      case 8: errors.push(httpError(id, 500, 'escaped key ZZZ').replace('ZZZ', `\\u0073${SECRET.slice(1)}`)); break;
      case 9: output.push(JSON.stringify({ custom_id: id, response: { status_code: 200, body: { nope: 1 } } })); break;
      case 10: errors.push(JSON.stringify({ custom_id: id, response: null, error: { code: 'batch_expired', message: 'expired' } })); break;
      case 11: output.push(completion(id, answer(line)), completion(id, answer(line, 4))); break;
      case 12: break; // missing
    }
  });
  output.push(completion('another-shard-3', answer(3)), completion(`${customIds[0]!.replace(/-\d+$/, '')}-${customIds.length + 5}`, answer(1)), 'not a result line at all');
  return { output, errors };
}

/** Answers a submitted shard at once with resultLines() (FileBatchProvider's writer). */
const scriptedWriter = {
  async writeShard(shardPath: string, _batchId: string, base: string): Promise<void> {
    const ids = readFileSync(shardPath, 'utf8').split('\n').filter(Boolean).map((text) => (JSON.parse(text) as { custom_id: string }).custom_id);
    const { output, errors } = resultLines(ids);
    writeFileSync(`${base}.output.jsonl`, `${output.join('\n')}\n`);
    writeFileSync(`${base}.errors.jsonl`, `${errors.join('\n')}\n`);
  },
} as unknown as EmulatedResultWriter;

/** Plans `records` requests in shards of 150, drives every shard to collected, and returns what collecting left. */
async function collectWith(threads: string | undefined, records = 400, wrap: (provider: BatchProvider) => BatchProvider = (provider) => provider): Promise<Collected> {
  if (threads === undefined) delete process.env.SYNTHFORGE_COLLECT_THREADS;
  else process.env.SYNTHFORGE_COLLECT_THREADS = threads;
  const dir = tempDir();
  const resultsDir = join(dir, 'results');
  mkdirSync(resultsDir);
  return collectShards(dir, { records, provider: wrap(new FileBatchProvider(resultsDir, scriptedWriter)) });
}

describe('collecting on threads', () => {
  it('writes the same answers, invalid and positions files and stores the same rows for 0 (the calling thread), 1, 2 and 3 threads', async () => {
    const inThread = await collectWith('0');
    expect(inThread.files.join('')).toContain('"outcome":"not_json"');
    for (const outcome of ['schema_violation', 'refusal', 'truncated', 'provider_error', 'expired', 'missing']) expect(inThread.files.join('')).toContain(`"outcome":"${outcome}"`);
    expect(inThread.files.join('')).toContain('malformed_result_line');
    for (const workers of ['2', '3']) {
      const threaded = await collectWith(workers);
      expect(threaded.files).toEqual(inThread.files);
      expect(threaded.outcomes).toEqual(inThread.outcomes);
      expect(threaded.responses).toEqual(inThread.responses);
      expect(threaded.ledger).toEqual(inThread.ledger);
      expect(threaded.errors).toEqual(inThread.errors);
    }
    // One thread beside the calling thread.
    expect(await collectWith('1')).toEqual(inThread);
  });

  it('writes the same files for lines longer than a thread batch or its slot, whole or cut by the reads', async () => {
    // Lines 0 and 1 carry answers that outgrow a thread's slot (512 KiB), one of them a batch alone.
    const long = (provider: BatchProvider): BatchProvider => {
      const chunks = provider.resultChunks!.bind(provider);
      async function* lengthened(handle: BatchHandle): AsyncIterable<Uint8Array> {
        const read: Uint8Array[] = [];
        for await (const chunk of chunks(handle)) read.push(chunk);
        const text = Buffer.concat(read)
          .toString('utf8')
          .replace(/number 0\\"/, `number 0 ${'é'.repeat(300_000)}\\"`)
          .replace(/number 1\\"/, `number 1 ${'x'.repeat(700_000)}\\"`);
        const bytes = Buffer.from(text);
        // Cut mid-line, as a download's reads are.
        for (let start = 0; start < bytes.length; start += 100_003) yield bytes.subarray(start, start + 100_003);
      }
      return Object.assign(Object.create(provider) as BatchProvider, { resultChunks: (handle: BatchHandle) => wholeLineChunks(lengthened(handle)) });
    };
    const inThread = await collectWith('0', 160, long);
    expect(inThread.files.join('')).toContain('é'.repeat(300_000));
    expect(inThread.files.join('')).toContain('x'.repeat(700_000));
    expect(await collectWith('2', 160, long)).toEqual(inThread);
  });

  it('never writes a key a result line echoed, plain or JSON-escaped, whichever thread decodes it', async () => {
    await expectEchoedKeyRedacted(collectWith, SECRET, 'OPENAI_API_KEY');
  });

  it('surfaces an error of the result stream as the calling thread does, and leaves no thread running', async () => {
    // Fails after a first chunk, in results() and resultChunks() alike (results() reads the chunks).
    const failing = (provider: BatchProvider): BatchProvider => {
      const chunks = provider.resultChunks!.bind(provider);
      async function* broken(handle: BatchHandle): AsyncIterable<Uint8Array> {
        const read: Uint8Array[] = [];
        for await (const chunk of chunks(handle)) read.push(chunk);
        const whole = Buffer.concat(read);
        const cut = whole.indexOf(10, whole.length >> 1);
        yield whole.subarray(0, cut + 1);
        throw new Error('connection reset while downloading');
      }
      return Object.assign(Object.create(provider) as BatchProvider, { resultChunks: broken });
    };
    const inThread = await collectWith('0', 300, failing);
    const threaded = await collectWith('2', 300, failing);
    expect(threaded.errors[0]).toBe('connection reset while downloading');
    expect(threaded).toEqual(inThread);
    expect(process.getActiveResourcesInfo().filter((kind) => kind === 'Worker')).toEqual([]);
  });

  it('fails the collect with a coded error when a thread fails, and leaves no thread running', async () => {
    const decoder = join(tempDir(), 'throwing-decoder.mjs');
    writeFileSync(decoder, "export function decodeResultLine() { throw new Error('decoder bug'); }\nexport const normalizeAnswer = (value) => value;\n");
    const broken = (provider: BatchProvider): BatchProvider => Object.assign(Object.create(provider) as BatchProvider, { resultDecoder: { module: pathToFileURL(decoder).href } });
    const threaded = await collectWith('2', 200, broken);
    expect(threaded.errors).toHaveLength(2);
    expect(threaded.errors[0]).toMatch(/^a collect thread failed: Error: decoder bug/);
    expect(threaded.outcomes).toEqual([[], []]);
    expect(process.getActiveResourcesInfo().filter((kind) => kind === 'Worker')).toEqual([]);
  });

  it('judges in the calling thread a zod schema, a provider without raw lines, and a small shard by default', () => {
    const provider = new FileBatchProvider('/nowhere');
    const shard = { requestCount: 100_000 } as never;
    const jsonStep = { output: { source: 'json-schema' } } as CompiledBatchStep;
    process.env.SYNTHFORGE_COLLECT_THREADS = '3';
    expect(collectThreads(provider, jsonStep, shard)).toBe(3);
    expect(collectThreads(provider, { output: { source: 'zod' } } as CompiledBatchStep, shard)).toBe(0);
    expect(collectThreads({ ...provider, resultChunks: undefined } as unknown as BatchProvider, jsonStep, shard)).toBe(0);
    delete process.env.SYNTHFORGE_COLLECT_THREADS;
    expect(collectThreads(provider, jsonStep, { requestCount: 10 } as never)).toBe(0);
    process.env.SYNTHFORGE_COLLECT_THREADS = '1';
    expect(collectThreads(provider, jsonStep, { requestCount: 10 } as never)).toBe(1);
  });
});

/**
 * Shared setup for emulator tests: a started emulator on a manual clock, official SDK clients pointed at it,
 * and helpers to build input files and read results. Tests step the clock instead of sleeping.
 */
import OpenAI, { toFile } from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import { afterEach } from 'vitest';
import { startEmulator, type EmulatorOptions, type EmulatorServer } from '../../src/emulator/emulator.js';

export interface ManualClock {
  now: () => number;
  advance: (ms: number) => void;
}

export function manualClock(start = Date.UTC(2026, 0, 1, 12)): ManualClock {
  let now = start;
  return { now: () => now, advance: (ms) => { now += ms; } };
}

export interface Harness {
  server: EmulatorServer;
  clock: ManualClock;
  openai: OpenAI;
  anthropic: Anthropic;
  /** Lets queued batch work finish, then moves the clock far enough for every phase to pass. */
  settle: () => Promise<void>;
}

/** Starts emulators on a manual clock and closes them after each test. */
export function useEmulators(): (options?: EmulatorOptions) => Promise<Harness> {
  const started: EmulatorServer[] = [];
  afterEach(async () => {
    for (const server of started.splice(0)) await server.close();
  });
  return async (options = {}) => {
    const clock = manualClock();
    const server = await startEmulator({ clock: clock.now, ...options });
    started.push(server);
    return {
      server,
      clock,
      openai: new OpenAI({ apiKey: 'test-key', baseURL: server.openaiBaseURL, maxRetries: 0 }),
      anthropic: new Anthropic({ apiKey: 'test-key', baseURL: server.anthropicBaseURL, maxRetries: 0 }),
      settle: async () => {
        await server.idle();
        clock.advance(3_600_000);
      },
    };
  };
}

export const QA_SCHEMA = {
  type: 'object',
  properties: {
    question: { type: 'string', minLength: 20 },
    answer: { type: ['string', 'null'] },
    difficulty: { type: 'string', enum: ['easy', 'medium', 'hard'] },
    tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3 },
  },
  required: ['question', 'answer', 'difficulty', 'tags'],
  additionalProperties: false,
} as const;

export function chatBody(index: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You write realistic customer-support questions.' },
      { role: 'user', content: `Write one question a network engineer might ask about mesh router number ${index}.` },
    ],
    response_format: { type: 'json_schema', json_schema: { name: 'qa_pair', strict: true, schema: QA_SCHEMA } },
    max_tokens: 1000,
    ...extra,
  };
}

export function batchLine(customId: string, body: unknown, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body, ...overrides });
}

export function jsonl(lines: readonly string[]): Buffer {
  return Buffer.from(`${lines.join('\n')}\n`);
}

export async function uploadBatchFile(openai: OpenAI, content: Buffer | string, name = 'input.jsonl'): Promise<string> {
  const file = await openai.files.create({ file: await toFile(Buffer.from(content), name), purpose: 'batch' });
  return file.id;
}

export async function createOpenAIBatch(harness: Harness, lines: readonly string[]): Promise<OpenAI.Batch> {
  const inputFileId = await uploadBatchFile(harness.openai, jsonl(lines));
  return harness.openai.batches.create({ input_file_id: inputFileId, endpoint: '/v1/chat/completions', completion_window: '24h' });
}

/** Creates, settles and retrieves an OpenAI batch. */
export async function runOpenAIBatch(harness: Harness, lines: readonly string[]): Promise<OpenAI.Batch> {
  const batch = await createOpenAIBatch(harness, lines);
  await harness.settle();
  return harness.openai.batches.retrieve(batch.id);
}

export interface OpenAIResultLine {
  id: string;
  custom_id: string;
  response: { status_code: number; request_id: string; body: Record<string, any> } | null;
  error: { code: string; message: string } | null;
}

export async function readOpenAIFile(openai: OpenAI, fileId: string | null | undefined): Promise<OpenAIResultLine[]> {
  if (!fileId) return [];
  const text = await (await openai.files.content(fileId)).text();
  return text.split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line) as OpenAIResultLine);
}

export function anthropicRequest(customId: string, params: Record<string, unknown> = {}): Anthropic.Messages.Batches.BatchCreateParams.Request {
  return {
    custom_id: customId,
    params: {
      model: 'claude-haiku-4-5',
      max_tokens: 1000,
      messages: [{ role: 'user', content: `Write one question about modem ${customId}.` }],
      output_config: { format: { type: 'json_schema', schema: QA_SCHEMA_ANTHROPIC } },
      ...params,
    } as Anthropic.Messages.MessageCreateParamsNonStreaming,
  };
}

/** QA_SCHEMA in the subset Anthropic accepts (no length or count constraints). */
export const QA_SCHEMA_ANTHROPIC = {
  type: 'object',
  properties: {
    question: { type: 'string' },
    answer: { type: ['string', 'null'] },
    difficulty: { type: 'string', enum: ['easy', 'medium', 'hard'] },
    tags: { type: 'array', items: { type: 'string' }, minItems: 1 },
  },
  required: ['question', 'answer', 'difficulty', 'tags'],
  additionalProperties: false,
} as const;

export async function runAnthropicBatch(
  harness: Harness,
  requests: Anthropic.Messages.Batches.BatchCreateParams.Request[],
): Promise<{ batch: Anthropic.Messages.Batches.MessageBatch; results: Anthropic.Messages.Batches.MessageBatchIndividualResponse[] }> {
  const created = await harness.anthropic.messages.batches.create({ requests });
  await harness.settle();
  const batch = await harness.anthropic.messages.batches.retrieve(created.id);
  const results: Anthropic.Messages.Batches.MessageBatchIndividualResponse[] = [];
  for await (const line of await harness.anthropic.messages.batches.results(created.id)) results.push(line);
  return { batch, results };
}

const addFormats = ((ajvFormats as unknown as { default: { default?: unknown } }).default.default ??
  (ajvFormats as unknown as { default: unknown }).default) as (ajv: Ajv2020) => Ajv2020;

/** An independent validator (not the emulator's own) for checking generated data. */
export function validatorFor(schema: object): (data: unknown) => boolean {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // Ajv2020 has no draft-07 meta-schema; the keywords used in these tests mean the same in both drafts.
  const { $schema: _dialect, ...rest } = schema as Record<string, unknown>;
  const validate = ajv.compile(rest);
  return (data) => validate(data) as boolean;
}

/** The error a call fails with; fails the test when the call succeeds. */
export async function rejectionOf<E = Error>(call: Promise<unknown>): Promise<E> {
  try {
    await call;
  } catch (error) {
    return error as E;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

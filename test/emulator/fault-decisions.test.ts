import Anthropic from '@anthropic-ai/sdk';
import OpenAI, { APIError, InternalServerError, RateLimitError } from 'openai';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FAULTS, mergeFaultOptions, type FaultOptions } from '../../src/emulator/core/emulator-options.js';
import { decideLineFault, finishesBeforeExpiry, type LineFault } from '../../src/emulator/core/fault-decisions.js';
import { lineIdentity } from '../../src/emulator/core/line-identity.js';
import {
  anthropicRequest,
  batchLine,
  chatBody,
  createOpenAIBatch,
  isJson,
  QA_SCHEMA,
  QA_SCHEMA_ANTHROPIC,
  readOpenAIFile,
  rejectionOf,
  runAnthropicBatch,
  runOpenAIBatch,
  useEmulators,
  validatorFor,
} from './emulator-harness.js';

const start = useEmulators();
const ids = (count: number, prefix = 'rec') => Array.from({ length: count }, (_, index) => `${prefix}-${String(index).padStart(3, '0')}-s0`);

const CONTENT_FAULTS: Partial<FaultOptions> = {
  seed: 11,
  lineErrorRate: 0.1,
  refusalRate: 0.1,
  truncationRate: 0.1,
  malformedJsonRate: 0.1,
  schemaInvalidRate: 0.1,
  nearDuplicateRate: 0.1,
};

type Observed = 'line_error' | 'refusal' | 'truncation' | 'malformed_json' | 'schema_invalid' | 'clean';

/** The emulator decides a line's fault by what it asks (its body), not by its custom_id. */
const chatIdentity = (index: number) => lineIdentity(JSON.stringify(chatBody(index)));
const anthropicIdentity = (customId: string) => lineIdentity(JSON.stringify(anthropicRequest(customId).params));

function expectedCounts(faults: Partial<FaultOptions>, identities: string[], attempt = 0): Record<LineFault, number> {
  const options = mergeFaultOptions(DEFAULT_FAULTS, faults);
  const counts: Record<string, number> = {};
  for (const identity of identities) {
    const fault = decideLineFault(options, identity, attempt);
    counts[fault] = (counts[fault] ?? 0) + 1;
  }
  return counts as Record<LineFault, number>;
}

function tally(values: Observed[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function classifyOpenAI(line: { response: { status_code: number; body: Record<string, any> } | null }, valid: (data: unknown) => boolean): Observed {
  if (line.response?.status_code === 500) return 'line_error';
  const choice = (line.response?.body as OpenAI.ChatCompletion).choices[0];
  if (choice?.message.refusal) return 'refusal';
  if (choice?.finish_reason === 'length') return 'truncation';
  const text = choice?.message.content ?? '';
  if (!isJson(text)) return 'malformed_json';
  return valid(JSON.parse(text)) ? 'clean' : 'schema_invalid';
}

function classifyAnthropic(line: Anthropic.Messages.Batches.MessageBatchIndividualResponse, valid: (data: unknown) => boolean): Observed {
  if (line.result.type === 'errored') return line.result.error.error.type === 'api_error' ? 'line_error' : 'clean';
  if (line.result.type !== 'succeeded') return 'clean';
  const message = line.result.message;
  if (message.stop_reason === 'refusal') return 'refusal';
  if (message.stop_reason === 'max_tokens') return 'truncation';
  const text = (message.content[0] as Anthropic.TextBlock).text;
  if (!isJson(text)) return 'malformed_json';
  return valid(JSON.parse(text)) ? 'clean' : 'schema_invalid';
}

describe('content faults inject exactly what the seed decides, and the output shows each one', () => {
  it('OpenAI: line errors, refusals, truncation, malformed JSON, schema-invalid JSON, near-duplicates', async () => {
    const harness = await start();
    // A clean answer first, so every line decided as a near-duplicate has an earlier answer to copy.
    await runOpenAIBatch(harness, [batchLine('warm-up', chatBody(999))]);
    harness.server.configure(CONTENT_FAULTS);
    const customIds = ids(80);
    const expected = expectedCounts(CONTENT_FAULTS, customIds.map((_, index) => chatIdentity(index)));
    const batch = await runOpenAIBatch(harness, customIds.map((id, index) => batchLine(id, chatBody(index))));
    const valid = validatorFor(QA_SCHEMA);
    const lines = [
      ...(await readOpenAIFile(harness.openai, batch.output_file_id)),
      ...(await readOpenAIFile(harness.openai, batch.error_file_id)),
    ];
    const observed = tally(lines.map((line) => classifyOpenAI(line, valid)));
    const faults = harness.server.batchFaults(batch.id);
    for (const [fault, key] of [
      ['line_error', 'lineError'],
      ['refusal', 'refusal'],
      ['truncation', 'truncation'],
      ['malformed_json', 'malformedJson'],
      ['schema_invalid', 'schemaInvalid'],
    ] as const) {
      expect(expected[fault]).toBeGreaterThan(0);
      expect(faults?.[key]).toBe(expected[fault]);
      expect(observed[fault]).toBe(expected[fault]);
    }
    expect(expected.near_duplicate).toBeGreaterThan(0);
    expect(faults?.nearDuplicate).toBe(expected.near_duplicate);
    expect(batch.request_counts).toEqual({ total: 80, completed: 80 - expected.line_error, failed: expected.line_error });
    const errors = await readOpenAIFile(harness.openai, batch.error_file_id);
    expect(errors.every((line) => line.error === null && line.response?.body.error.type === 'server_error')).toBe(true);
    const refused = lines.find((line) => classifyOpenAI(line, valid) === 'refusal');
    expect((refused?.response?.body as OpenAI.ChatCompletion).choices[0]?.message.content).toBeNull();
    expect(harness.server.stats().faultsInjected).toMatchObject({ malformedJson: expected.malformed_json, nearDuplicate: expected.near_duplicate });
  });

  it('Anthropic: errored api_error, refusal, max_tokens, malformed and schema-invalid text, near-duplicates', async () => {
    const harness = await start();
    await runAnthropicBatch(harness, [anthropicRequest('warm-up-0')]);
    harness.server.configure(CONTENT_FAULTS);
    const customIds = ids(80);
    const expected = expectedCounts(CONTENT_FAULTS, customIds.map(anthropicIdentity));
    const { batch, results } = await runAnthropicBatch(harness, customIds.map((id) => anthropicRequest(id)));
    const valid = validatorFor(QA_SCHEMA_ANTHROPIC);
    const observed = tally(results.map((line) => classifyAnthropic(line, valid)));
    const faults = harness.server.batchFaults(batch.id);
    for (const [fault, key] of [
      ['line_error', 'lineError'],
      ['refusal', 'refusal'],
      ['truncation', 'truncation'],
      ['malformed_json', 'malformedJson'],
      ['schema_invalid', 'schemaInvalid'],
      ['near_duplicate', 'nearDuplicate'],
    ] as const) {
      expect(expected[fault]).toBeGreaterThan(0);
      expect(faults?.[key]).toBe(expected[fault]);
      if (fault !== 'near_duplicate') expect(observed[fault]).toBe(expected[fault]);
    }
    expect(batch.request_counts.errored).toBe(expected.line_error);
    expect(batch.request_counts.succeeded).toBe(80 - expected.line_error);
  });

  it('near-duplicates copy an earlier answer of the server with exactly one word changed', async () => {
    const faults = { seed: 3, nearDuplicateRate: 0.3 };
    const harness = await start({ faults });
    const customIds = ids(40);
    // The first line of a fresh server has no earlier answer to copy.
    const firstDecided = decideLineFault(mergeFaultOptions(DEFAULT_FAULTS, faults), chatIdentity(0), 0) === 'near_duplicate';
    const expected = expectedCounts(faults, customIds.map((_, index) => chatIdentity(index))).near_duplicate - (firstDecided ? 1 : 0);
    const batch = await runOpenAIBatch(harness, customIds.map((id, index) => batchLine(id, chatBody(index))));
    const answers = new Map(
      (await readOpenAIFile(harness.openai, batch.output_file_id)).map((line) => [
        line.custom_id,
        JSON.parse((line.response?.body as OpenAI.ChatCompletion).choices[0]?.message.content ?? '') as Record<string, unknown>,
      ]),
    );
    const leaves = (value: unknown, path = ''): [string, unknown][] =>
      typeof value === 'object' && value !== null
        ? Object.entries(value).flatMap(([key, item]) => leaves(item, `${path}/${key}`))
        : [[path, value]];
    const oneWordApart = (left: unknown, right: unknown): boolean => {
      const rightLeaves = new Map(leaves(right));
      const leftLeaves = leaves(left);
      if (leftLeaves.length !== rightLeaves.size) return false;
      const changed = leftLeaves.filter(([path, value]) => rightLeaves.get(path) !== value);
      if (changed.length !== 1) return false;
      const [path, value] = changed[0] ?? ['', ''];
      const a = String(value).split(' ');
      const b = String(rightLeaves.get(path)).split(' ');
      return a.length === b.length && a.filter((word, index) => word !== b[index]).length === 1;
    };
    let copies = 0;
    customIds.forEach((id, index) => {
      const answer = answers.get(id) ?? {};
      if (customIds.slice(0, index).some((earlier) => oneWordApart(answer, answers.get(earlier) ?? {}))) copies++;
    });
    expect(expected).toBeGreaterThan(3);
    expect(harness.server.batchFaults(batch.id)?.nearDuplicate).toBe(expected);
    expect(copies).toBe(expected);
    expect(validatorFor(QA_SCHEMA)([...answers.values()][0])).toBe(true);
  });

  it('rolls again when a failed line is resubmitted: the attempt number changes the decision', async () => {
    const faults = { seed: 5, lineErrorRate: 0.5 };
    const harness = await start({ faults });
    const customIds = ids(30);
    const options = mergeFaultOptions(DEFAULT_FAULTS, faults);
    const first = await runOpenAIBatch(harness, customIds.map((id, index) => batchLine(id, chatBody(index))));
    const failedIds = (await readOpenAIFile(harness.openai, first.error_file_id)).map((line) => line.custom_id).sort();
    const identityOf = (id: string) => chatIdentity(customIds.indexOf(id));
    expect(failedIds).toEqual(customIds.filter((id) => decideLineFault(options, identityOf(id), 0) === 'line_error'));
    const retry = await runOpenAIBatch(harness, failedIds.map((id) => batchLine(id, chatBody(customIds.indexOf(id)))));
    const stillFailing = (await readOpenAIFile(harness.openai, retry.error_file_id)).map((line) => line.custom_id).sort();
    expect(stillFailing).toEqual(failedIds.filter((id) => decideLineFault(options, identityOf(id), 1) === 'line_error'));
    expect(stillFailing.length).toBeLessThan(failedIds.length);
    expect(harness.server.stats().seenCustomIds).toBe(30);
  });
});

/** Custom_ids the seed says do not finish before an expiring batch's window closes. */
async function expectedExpired(serverUrl: string, batchId: string, faults: Partial<FaultOptions>, customIds: string[]): Promise<string[]> {
  const debug = (await (await fetch(`${serverUrl}/_emulator/batches/${batchId}`)).json()) as { batchFault: string; batchKey: string };
  expect(debug.batchFault).toBe('expire');
  const options = mergeFaultOptions(DEFAULT_FAULTS, faults);
  return customIds.filter((id) => !finishesBeforeExpiry(options, debug.batchKey, id)).sort();
}

describe('batch faults', () => {
  it('expires OpenAI batches with about half the lines finished and batch_expired lines for the rest', async () => {
    const faults = { seed: 2, expireRate: 1 };
    const harness = await start({ faults });
    const batch = await runOpenAIBatch(harness, ids(40).map((id, index) => batchLine(id, chatBody(index))));
    expect(batch.status).toBe('expired');
    expect(batch.expired_at).not.toBeNull();
    const output = await readOpenAIFile(harness.openai, batch.output_file_id);
    const errors = await readOpenAIFile(harness.openai, batch.error_file_id);
    const expired = await expectedExpired(harness.server.url, batch.id, faults, ids(40));
    expect(expired.length).toBeGreaterThan(10);
    expect(expired.length).toBeLessThan(30);
    expect(errors.map((line) => line.custom_id).sort()).toEqual(expired);
    expect(output.length + errors.length).toBe(40);
    expect(errors.every((line) => line.response === null && line.error?.code === 'batch_expired')).toBe(true);
    expect(batch.request_counts).toEqual({ total: 40, completed: output.length, failed: errors.length });
    expect(harness.server.batchFaults(batch.id)).toMatchObject({ expiredBatches: 1, expiredLines: errors.length });
  });

  it('expires Anthropic batches with expired results for the requests that did not run', async () => {
    const faults = { seed: 2, expireRate: 1 };
    const harness = await start({ faults });
    const { batch, results } = await runAnthropicBatch(harness, ids(40).map((id) => anthropicRequest(id)));
    const expiredIds = results.filter((line) => line.result.type === 'expired').map((line) => line.custom_id).sort();
    expect(expiredIds).toEqual(await expectedExpired(harness.server.url, batch.id, faults, ids(40)));
    const expired = expiredIds.length;
    expect(expired).toBeGreaterThan(10);
    expect(batch.request_counts).toEqual({ processing: 0, succeeded: 40 - expired, errored: 0, canceled: 0, expired });
    expect(harness.server.batchFaults(batch.id)).toMatchObject({ expiredBatches: 1, expiredLines: expired });
  });

  it('fails OpenAI validation with token_limit_exceeded', async () => {
    const harness = await start({ faults: { failValidationRate: 1 } });
    const batch = await runOpenAIBatch(harness, [batchLine('a', chatBody(0))]);
    expect(batch.status).toBe('failed');
    expect(batch.errors?.data).toEqual([
      expect.objectContaining({ code: 'token_limit_exceeded', line: null, param: null, message: expect.stringContaining('Enqueued token limit reached for gpt-4o-mini') }),
    ]);
    expect(harness.server.stats()).toMatchObject({ requestsReceived: { openai: 0 }, faultsInjected: { failedValidationBatches: 1 } });
  });

  it('answers the next creates with the configured statuses; maxRetries 0 means exactly one attempt each', async () => {
    const harness = await start({ faults: { createErrors: [429, 500] } });
    const rateLimited = await createOpenAIBatch(harness, [batchLine('a', chatBody(0))]).catch((caught: unknown) => caught);
    expect(rateLimited).toBeInstanceOf(RateLimitError);
    expect((rateLimited as RateLimitError).headers.get('retry-after-ms')).toBe('10');
    const serverError = await createOpenAIBatch(harness, [batchLine('a', chatBody(0))]).catch((caught: unknown) => caught);
    expect(serverError).toBeInstanceOf(InternalServerError);
    expect((await createOpenAIBatch(harness, [batchLine('a', chatBody(0))])).status).toBe('validating');
    expect(harness.server.stats()).toMatchObject({
      createAttempts: { openai: 3 },
      batchesCreated: { openai: 1 },
      faultsInjected: { createErrors: 2 },
    });
  });

  it('shows why creates must not be retried: with SDK retries on, a 529 becomes a second create call', async () => {
    const harness = await start({ faults: { createErrors: [500] } });
    const retrying = new Anthropic({ apiKey: 'k', baseURL: harness.server.anthropicBaseURL, maxRetries: 1 });
    const once = await harness.anthropic.messages.batches.create({ requests: [anthropicRequest('a')] }).catch((caught: unknown) => caught);
    expect(once).toMatchObject({ status: 500 });
    expect(harness.server.stats().createAttempts.anthropic).toBe(1);
    harness.server.configure({ createErrors: [529] });
    const created = await retrying.messages.batches.create({ requests: [anthropicRequest('a')] });
    expect(created.type).toBe('message_batch');
    expect(harness.server.stats().createAttempts.anthropic).toBe(3);
    expect(harness.server.stats().batchesCreated.anthropic).toBe(1);
    expect(harness.server.stats().faultsInjected.createErrors).toBe(2);
  });

  it('answers synchronous chat completions 429 then 500 at syncErrorRate 1', async () => {
    const harness = await start({ faults: { syncErrorRate: 1 } });
    const ask = () => rejectionOf<APIError>(harness.openai.chat.completions.create(chatBody(0) as never));
    const first = await ask();
    expect(first.status).toBe(429);
    expect(first.headers?.get('retry-after-ms')).toBe('10');
    expect((await ask()).status).toBe(500);
    expect((await ask()).status).toBe(429);
    expect(harness.server.stats().faultsInjected.syncErrors).toBe(3);
  });
});

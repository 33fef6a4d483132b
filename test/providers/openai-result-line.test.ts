import { describe, expect, it } from 'vitest';
import { chatCompletionSchema, completedChatLine, convertOpenAIResultLine, openAIResultLineSchema } from '../../src/providers/openai/openai-batch-wire.js';

const GOOD_LINE = {
  id: 'batch_req_1',
  custom_id: 'run-s0-0000-7',
  response: {
    status_code: 200,
    request_id: 'req_1',
    body: {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [
        { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: '{"answer":"a"}', refusal: null } },
        { index: 1, finish_reason: null, message: { role: 'assistant', content: null } },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 2 } },
    },
  },
  error: null,
};

/** Every value a field is tried with: absent, null, each JSON type, and what JSON.parse gives for 1e999. */
const REPLACEMENTS: unknown[] = [undefined, null, 'text', 7, Number.POSITIVE_INFINITY, true, [], {}];

/** The line with the value at `path` replaced (undefined: the key removed). */
function replaced(path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(GOOD_LINE) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}

function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    return [path, ...paths(child, path)];
  });
}

/** What the zod schemas say of a line: a 2xx chat completion they accept. */
function acceptedByZod(json: unknown): boolean {
  const line = openAIResultLineSchema.safeParse(json);
  if (!line.success || !line.data.response || line.data.response.status_code >= 400) return false;
  if ((line.data.response.body as { object?: unknown } | null)?.object === 'list') return false;
  return chatCompletionSchema.safeParse(line.data.response.body).success;
}

describe('OpenAI result lines: the hand check of a chat completion line', () => {
  it('accepts exactly the 2xx chat completion lines the zod schemas accept, whatever field is changed', () => {
    expect(completedChatLine(GOOD_LINE)).toBeDefined();
    let tried = 0;
    for (const path of paths(GOOD_LINE)) {
      for (const value of REPLACEMENTS) {
        const json = replaced(path, value);
        expect(`${JSON.stringify(path)} = ${String(value)}: ${completedChatLine(json) !== undefined}`).toBe(`${JSON.stringify(path)} = ${String(value)}: ${acceptedByZod(json)}`);
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(100);
  });

  it('converts a line the same as its body stripped by the schema would convert', () => {
    const stripped = { ...GOOD_LINE, response: { ...GOOD_LINE.response, body: chatCompletionSchema.parse(GOOD_LINE.response.body) } };
    expect(convertOpenAIResultLine(JSON.stringify(GOOD_LINE))).toEqual(convertOpenAIResultLine(JSON.stringify(stripped)));
    expect(convertOpenAIResultLine(JSON.stringify(GOOD_LINE))).toEqual({
      customId: 'run-s0-0000-7',
      outcome: 'succeeded',
      text: '{"answer":"a"}',
      finishReason: 'stop',
      usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 2 },
      model: 'gpt-4o-mini',
    });
  });

  it('still refuses a completion whose usage holds a number JSON.parse made infinite', () => {
    const line = JSON.stringify(GOOD_LINE).replace('"completion_tokens":5', '"completion_tokens":1e999');
    expect(convertOpenAIResultLine(line)).toEqual({ customId: 'run-s0-0000-7', malformed: 'response body is not a chat completion' });
  });
});

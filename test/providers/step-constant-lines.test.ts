import { describe, expect, it } from 'vitest';
import type { ProviderRequest } from '../../src/providers/batch-provider.js';
import { buildAnthropicParams, encodeAnthropicBatchLine } from '../../src/providers/anthropic/anthropic-request.js';
import { buildGeminiLine, encodeGeminiBatchLine } from '../../src/providers/gemini/gemini-request.js';
import { QA_SCHEMA } from '../helpers/shard-file.js';

// Each encoder serialises the step's constant part once; its line must be the bytes of serialising
// the whole object, as the adapters wrote it before.
const encoders = [
  {
    name: 'Anthropic',
    model: 'claude-haiku-4-5',
    modes: ['native', 'tool', 'prompt'] as const,
    encode: encodeAnthropicBatchLine,
    whole: (request: ProviderRequest) => JSON.stringify({ custom_id: request.customId, params: buildAnthropicParams(request) }),
    maxTokens: (line: string) => (JSON.parse(line) as { params: { max_tokens: number } }).params.max_tokens,
  },
  {
    name: 'Gemini',
    model: 'gemini-2.5-flash',
    modes: ['native', 'prompt'] as const,
    encode: encodeGeminiBatchLine,
    whole: (request: ProviderRequest) => JSON.stringify(buildGeminiLine(request)),
    maxTokens: (line: string) => (JSON.parse(line) as { request: { generationConfig: { maxOutputTokens: number } } }).request.generationConfig.maxOutputTokens,
  },
];

const system = { role: 'system' as const, content: 'You answer "tersely".\n\tTabs, quotes \\ and unicode: é ✓ 😀' };
const user = { role: 'user' as const, content: 'line one\nline two \u2028 \u0001' };
const assistant = { role: 'assistant' as const, content: 'an earlier answer' };
const messageLists: ProviderRequest['messages'][] = [
  [system, user],
  [user],
  [],
  [system, { ...system, content: '' }, user, assistant, user],
  [{ role: 'system', content: '' }],
];
const params = [
  {},
  { temperature: 0.7 },
  { temperature: 0.7, max_tokens: 300 },
  { max_tokens: 50, top_p: 0.9, seed: 7, stop: ['\n\n'], presence_penalty: 0.1, frequency_penalty: 0.2 },
  { stop: 'END', temperature: undefined, max_tokens: 10 },
] as ProviderRequest['params'][];

describe.each(encoders)('$name batch line serialised with its step constant once', ({ model, modes, encode, whole, maxTokens }) => {
  const outputs: (ProviderRequest['output'] | undefined)[] = [undefined, ...modes.map((mode) => ({ name: 'qa', jsonSchema: QA_SCHEMA, mode }))];

  it('writes the same bytes as serialising the whole line, whatever the messages, params and output', () => {
    let checked = 0;
    for (const param of params) {
      for (const output of outputs) {
        for (const [index, messages] of messageLists.entries()) {
          const request: ProviderRequest = { customId: `run-1-s0-0000-${index}`, model, messages, params: param, ...(output ? { output } : {}) };
          expect(encode(request)).toBe(whole(request));
          checked++;
        }
      }
    }
    expect(checked).toBe(params.length * outputs.length * messageLists.length);
  });

  it('falls back to the whole object for messages that are not text', () => {
    const odd = [[{ role: 'user', content: [{ type: 'text', text: 'parts' }] }], [{ role: 'user' }], [{ content: 'no role' }]] as unknown as ProviderRequest['messages'][];
    for (const messages of odd) {
      const request: ProviderRequest = { customId: 'c', model, messages, params: { temperature: 1 }, output: outputs[1]! };
      expect(encode(request)).toBe(whole(request));
    }
  });

  it('serialises the constant again when a request brings other params or another output (a repair raising max_tokens)', () => {
    const base: ProviderRequest = { customId: 'a', model, messages: [system, user], params: { temperature: 1, max_tokens: 100 }, output: outputs[1]! };
    const raised: ProviderRequest = { ...base, customId: 'b', params: { ...base.params, max_tokens: 400 } };
    const renamed: ProviderRequest = { ...base, output: { ...outputs[1]!, name: 'other', jsonSchema: { ...QA_SCHEMA, description: 'another schema' } } };
    for (const request of [base, raised, base, renamed, raised]) expect(encode(request)).toBe(whole(request));
    expect(maxTokens(encode(raised))).toBe(400);
    expect(maxTokens(encode(base))).toBe(100);
  });
});

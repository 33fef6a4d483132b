import { describe, expect, it } from 'vitest';
import type { ProviderRequest } from '../../src/providers/batch-provider.js';
import { CHAT_ENDPOINT, encodeOpenAIBatchLine } from '../../src/providers/openai/openai-capabilities.js';
import { buildOpenAIChatBody } from '../../src/providers/openai/openai-chat-body.js';
import { OPENAI_COMPATIBLE_CAPABILITIES } from '../../src/providers/openai-compatible/openai-compatible-capabilities.js';
import { QA_SCHEMA } from '../helpers/shard-file.js';

/** The line as the adapter wrote it before the step's tail was serialised once: one JSON.stringify of the whole object. */
function wholeObjectLine(request: ProviderRequest): string {
  const body = buildOpenAIChatBody(request, { maxTokensKey: 'max_completion_tokens' });
  return JSON.stringify({ custom_id: request.customId, method: 'POST', url: CHAT_ENDPOINT, body });
}

const output = { name: 'qa', jsonSchema: QA_SCHEMA, mode: 'native' as const };
const messages = [
  { role: 'system' as const, content: 'You answer "tersely".\n\tTabs, quotes \\ and unicode: é ✓ 😀' },
  { role: 'user' as const, content: 'line one\nline two \u2028 \u0001' },
];

describe('encodeOpenAIBatchLine', () => {
  it('writes the same bytes as serialising the whole line, whatever the params and output', () => {
    const params = [
      {},
      { temperature: 0.7 },
      { temperature: 0.7, max_tokens: 300 },
      { max_tokens: 50, top_p: 0.9, seed: 7, stop: ['\n\n'] },
      { temperature: undefined, max_tokens: 10 },
      // Keys that would change the object's order or replace its first fields: the whole object is serialised.
      { model: 'other-model', temperature: 1 },
      { messages: [], max_tokens: 1 },
      { 0: 'index-like key first', temperature: 1 },
    ] as unknown as ProviderRequest['params'][];
    const outputs: (ProviderRequest['output'] | undefined)[] = [undefined, output, { ...output, mode: 'prompt' as const }];
    for (const param of params) {
      for (const out of outputs) {
        for (const [index, list] of [messages, [messages[1]!], []].entries()) {
          const request: ProviderRequest = { customId: `run-1-s0-0000-${index}`, model: 'gpt-4o-mini', messages: list, params: param, ...(out ? { output: out } : {}) };
          expect(encodeOpenAIBatchLine(request)).toBe(wholeObjectLine(request));
        }
      }
    }
  });

  it('writes messages of any shape as JSON.stringify does: other key order, extra or missing keys', () => {
    const shapes = [
      [{ content: 'content first', role: 'user' }],
      [{ role: 'user', content: 'with a name', name: 'ann' }],
      [{ role: 'user', content: 'undefined extra', name: undefined }],
      [{ role: 'assistant', content: 'a' }, { role: 'user', content: 'a' }, { role: 'user', content: 'a' }],
      [{ role: 'user' }],
    ] as unknown as ProviderRequest['messages'][];
    for (const list of shapes) {
      const request: ProviderRequest = { customId: 'c', model: 'gpt-4o-mini', messages: list, params: { temperature: 1 }, output };
      expect(encodeOpenAIBatchLine(request)).toBe(wholeObjectLine(request));
    }
  });

  it('serialises the tail again when a request brings other params or another output (a repair raising max_tokens)', () => {
    const base: ProviderRequest = { customId: 'a', model: 'gpt-4o-mini', messages, params: { temperature: 1, max_tokens: 100 }, output };
    const raised: ProviderRequest = { ...base, customId: 'b', params: { ...base.params, max_tokens: 400 } };
    for (const request of [base, raised, base, { ...base, output: { ...output, name: 'other' } }, raised]) {
      expect(encodeOpenAIBatchLine(request)).toBe(wholeObjectLine(request));
    }
    expect(JSON.parse(encodeOpenAIBatchLine(raised)).body.max_completion_tokens).toBe(400);
  });

  it('writes the openai-compatible line (max_tokens, no method or url) as serialising its whole object does', () => {
    const compatibleLine = (request: ProviderRequest) => JSON.stringify({ custom_id: request.customId, body: buildOpenAIChatBody(request, { maxTokensKey: 'max_tokens' }) });
    const params = [{}, { temperature: 0.2, max_tokens: 64 }, { max_tokens: 8, stop: 'x' }, { model: 'replaced', max_tokens: 1 }] as unknown as ProviderRequest['params'][];
    for (const param of params) {
      for (const out of [undefined, output, { ...output, mode: 'prompt' as const }]) {
        const request: ProviderRequest = { customId: 'local-1', model: 'llama-3.1-8b', messages, params: param, ...(out ? { output: out } : {}) };
        expect(OPENAI_COMPATIBLE_CAPABILITIES.encodeRequest(request)).toBe(compatibleLine(request));
        // Interleaved with OpenAI lines of the same params: each max-tokens key keeps its own tail.
        expect(encodeOpenAIBatchLine(request)).toBe(wholeObjectLine(request));
      }
    }
  });
});

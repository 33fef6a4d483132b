import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, REQUEST_KEY_VERSION, requestKey, StepKeys, type RequestIdentity } from '../../src/engine/request-key.js';

const BASE: RequestIdentity = {
  modelRef: { provider: 'openai', model: 'gpt-4o-mini' },
  messages: [
    { role: 'system', content: 'You answer support questions.' },
    { role: 'user', content: 'My router drops the connection.' },
  ],
  params: { temperature: 0.7, max_tokens: 400 },
  schemaFingerprint: 'a'.repeat(64),
  outputMode: 'native',
  sampleIndex: 0,
};

/** One change per input the key covers; each must give a different key. */
const FLIPS: Record<string, Partial<RequestIdentity>> = {
  provider: { modelRef: { provider: 'openai-compatible', model: 'gpt-4o-mini' } },
  model: { modelRef: { provider: 'openai', model: 'gpt-4o' } },
  baseUrl: { baseUrl: 'http://localhost:8000/v1' },
  'message content': { messages: [BASE.messages[0]!, { role: 'user', content: 'My router drops the connection!' }] },
  'message role': { messages: [BASE.messages[0]!, { role: 'assistant', content: 'My router drops the connection.' }] },
  'message order': { messages: [BASE.messages[1]!, BASE.messages[0]!] },
  'one message fewer': { messages: [BASE.messages[1]!] },
  'param value': { params: { temperature: 0.8, max_tokens: 400 } },
  'param added': { params: { temperature: 0.7, max_tokens: 400, seed: 1 } },
  'schema fingerprint': { schemaFingerprint: 'b'.repeat(64) },
  'output mode': { outputMode: 'tool' },
  'sample index': { sampleIndex: 1 },
};

describe('requestKey', () => {
  it('is a pure function of its inputs: equal inputs give the same key, in any key order', () => {
    const reordered: RequestIdentity = {
      sampleIndex: 0,
      outputMode: 'native',
      schemaFingerprint: 'a'.repeat(64),
      params: { max_tokens: 400, temperature: 0.7 },
      messages: BASE.messages.map((message) => ({ content: message.content, role: message.role })),
      modelRef: { model: 'gpt-4o-mini', provider: 'openai' },
    };
    expect(requestKey(reordered)).toBe(requestKey(BASE));
    expect(requestKey(structuredClone(BASE))).toBe(requestKey(BASE));
    expect(requestKey(BASE)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each(Object.entries(FLIPS))('changes when the %s changes', (_name, flip) => {
    expect(requestKey({ ...BASE, ...flip })).not.toBe(requestKey(BASE));
  });

  it('gives every flip its own key', () => {
    const keys = [requestKey(BASE), ...Object.values(FLIPS).map((flip) => requestKey({ ...BASE, ...flip }))];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('cannot be collided by moving text between the messages and the sample index', () => {
    const a = requestKey({ ...BASE, messages: [{ role: 'user', content: 'x' }], sampleIndex: 12 });
    const b = requestKey({ ...BASE, messages: [{ role: 'user', content: 'x1' }], sampleIndex: 2 });
    expect(a).not.toBe(b);
  });

  it('is the same through StepKeys, with the messages serialised once for every sample index', () => {
    const keys = new StepKeys(BASE);
    const part = keys.messagesPart(BASE.messages);
    for (const sampleIndex of [0, 1, 2]) expect(keys.key(part, sampleIndex)).toBe(requestKey({ ...BASE, sampleIndex }));
  });

  it('treats a message with an extra field as a different message', () => {
    const extra = { ...BASE.messages[1]!, name: 'customer' } as (typeof BASE.messages)[number];
    expect(requestKey({ ...BASE, messages: [BASE.messages[0]!, extra] })).not.toBe(requestKey(BASE));
  });
});

describe('the key bytes', () => {
  it('are sha256 of the step part, the messages and the sample index, each canonical JSON', () => {
    expect(REQUEST_KEY_VERSION).toBe(2);
    const step = canonicalJson({ v: 2, provider: 'openai', model: 'gpt-4o-mini', baseUrl: null, params: BASE.params, schema: BASE.schemaFingerprint, outputMode: 'native' });
    const expected = createHash('sha256').update(`${step}${canonicalJson(BASE.messages)}3`).digest('hex');
    expect(requestKey({ ...BASE, sampleIndex: 3 })).toBe(expected);
  });
});

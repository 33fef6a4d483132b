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

describe('keys through StepKeys', () => {
  const texts = ['', 'plain', 'quotes " and \\ backslash', 'line\nbreak\ttab\u0001', 'é ✓ 😀 straße', '\ud800 lone surrogate', 'x'.repeat(5000)];
  const steps: RequestIdentity[] = [
    BASE,
    { ...BASE, modelRef: { provider: 'anthropic', model: 'claude-3-5-haiku-latest' }, params: { temperature: 0, stop: ['\n\n'], max_tokens: 10 }, outputMode: 'tool' },
    { ...BASE, modelRef: { provider: 'openai-compatible', model: 'llama' }, baseUrl: 'http://localhost:8000/v1', params: {} },
  ];

  it('equal sha256 of the three canonical JSON parts for varied requests (the cache keys of earlier runs)', () => {
    for (const step of steps) {
      const keys = new StepKeys(step);
      const prefix = canonicalJson({ v: 2, provider: step.modelRef.provider, model: step.modelRef.model, baseUrl: step.baseUrl ?? null, params: step.params, schema: step.schemaFingerprint, outputMode: step.outputMode });
      for (const system of texts) {
        for (const user of texts.slice(0, 4)) {
          const messages = [
            { role: 'system' as const, content: system },
            { role: 'user' as const, content: user },
          ];
          const part = keys.messagesPart(messages);
          for (const sampleIndex of [0, 1, 12]) {
            const expected = createHash('sha256').update(`${prefix}${canonicalJson(messages)}${sampleIndex}`).digest('hex');
            expect(keys.key(part, sampleIndex)).toBe(expected);
            expect(requestKey({ ...step, messages, sampleIndex })).toBe(expected);
          }
        }
      }
    }
  });

  it('stay the keys earlier versions stored: a changed key would buy every cached answer again', () => {
    expect(requestKey(BASE)).toBe('0de91ab51ed3aaa01e3b072ca321ca1046fb56bd7b4c6fb1a8f054553342edde');
    expect(requestKey({ ...BASE, sampleIndex: 2 })).toBe('61fe58273c2a9836dd6a1eb390a75b42f3ccff012d4dd3d92580f5bf30dbf024');
  });
});

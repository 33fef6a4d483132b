import { describe, expect, it } from 'vitest';
import type { ResponseRow } from '../../src/store/response-cache.js';
import { RunStore } from '../../src/store/run-store.js';
import type { ResponseOutcome } from '../../src/store/store-schema.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

const FULL: ResponseRow = {
  requestKey: 'key-1',
  provider: 'openai',
  model: 'gpt-4o-mini',
  outcome: 'schema_violation',
  reason: '/question: must be string',
  value: { question: 42, nested: [1, { a: null }] },
  textExcerpt: '{"question": 42',
  usage: { inputTokens: 12, outputTokens: 5, cachedInputTokens: 3 },
  batchId: 'batch_1',
  customId: 'cid-1',
  attempts: 1,
  final: false,
};

describe('ResponseCache', () => {
  it('has nothing for an unknown key', () => {
    const store = new RunStore(tempDir());
    expect(store.responses.get('never-stored')).toBeUndefined();
    store.close();
  });

  it('returns what was put, every field, and survives reopening the store', () => {
    const dir = tempDir();
    const store = new RunStore(dir);
    store.responses.put(FULL);
    expect(store.responses.get('key-1')).toStrictEqual(FULL);
    store.close();
    const reopened = new RunStore(dir);
    expect(reopened.responses.get('key-1')).toStrictEqual(FULL);
    reopened.close();
  });

  it('leaves absent optional fields absent (no undefined-valued keys)', () => {
    const store = new RunStore(tempDir());
    const minimal: ResponseRow = { requestKey: 'key-2', provider: 'anthropic', model: 'claude', outcome: 'missing', attempts: 2, final: true };
    store.responses.put(minimal);
    expect(store.responses.get('key-2')).toStrictEqual(minimal);
    store.close();
  });

  it('a second put of a key replaces the answer, clears what it leaves out, and keeps provider and model', () => {
    const store = new RunStore(tempDir());
    store.responses.put(FULL);
    const retried: ResponseRow = {
      requestKey: 'key-1',
      provider: 'other-provider',
      model: 'other-model',
      outcome: 'valid',
      value: { question: 'Why?' },
      usage: { inputTokens: 12, outputTokens: 7 },
      batchId: 'batch_2',
      customId: 'cid-1',
      attempts: 2,
      final: true,
    };
    store.responses.put(retried);
    expect(store.responses.get('key-1')).toStrictEqual({ ...retried, provider: 'openai', model: 'gpt-4o-mini' });
    store.close();
  });

  it('writes on the store connection: a put inside a rolled-back store transaction is gone', () => {
    const store = new RunStore(tempDir());
    expect(() =>
      store.transaction(() => {
        store.responses.put(FULL);
        throw new Error('crash before commit');
      }),
    ).toThrow('crash before commit');
    expect(store.responses.get('key-1')).toBeUndefined();
    store.close();
  });

  it('refuses an outcome outside ResponseOutcome', () => {
    const store = new RunStore(tempDir());
    expect(() => store.responses.put({ ...FULL, outcome: 'maybe' as ResponseOutcome })).toThrow(/CHECK constraint failed/);
    expect(store.responses.get('key-1')).toBeUndefined();
    store.close();
  });
});

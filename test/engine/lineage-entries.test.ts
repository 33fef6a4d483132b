import { describe, expect, it } from 'vitest';
import { LineageEntries } from '../../src/engine/lineage-entries.js';

describe('LineageEntries', () => {
  const steps = [
    { step: 'answer', provider: 'openai', model: 'gpt-4o-mini' },
    { step: 'a "quoted" step é😀', provider: 'anthropic', model: 'claude\\x' },
  ];
  const shards = [{ batchId: 'batch_1' }, { batchId: 'b"2' }, {}, { batchId: '' }];
  for (const step of steps) {
    it(`writes what JSON.stringify writes for the entry object, whatever the shard, cache and attempt: ${step.step}`, () => {
      const entries = new LineageEntries(step);
      // Shards alternate, as a batch of samples answered by several shards does.
      for (const shard of [...shards, ...shards]) {
        for (const cached of [false, true]) {
          for (const attempt of [1, 3]) {
            const key = `${'ab'.repeat(32)}`;
            expect(entries.text(key, shard, cached, attempt)).toBe(JSON.stringify(entries.entry(key, shard, cached, attempt)));
          }
        }
      }
    });
  }

  it('leaves out the members a step lacks, as JSON.stringify does', () => {
    const entries = new LineageEntries({ step: undefined as unknown as string, provider: 'openai', model: undefined as unknown as string });
    expect(entries.text('k', {}, false, 1)).toBe(JSON.stringify(entries.entry('k', {}, false, 1)));
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDedupSpec } from '../../src/dedup/dedup-spec.js';
import { dedupStream } from '../../src/dedup/dedup-stream.js';
import { runDedupStep } from '../../src/engine/dedup-step.js';
import { StepRejects } from '../../src/engine/step-rejects.js';
import type { DedupStep } from '../../src/recipe/recipe.js';

const sentence = (seed: number): string => Array.from({ length: 40 }, (_, index) => `w${(seed * 7919 + index * 104_729) % 100_003}`).join(' ');

async function* asyncOf<T>(items: Iterable<T>): AsyncIterable<T> {
  yield* items;
}

describe('runDedupStep', () => {
  it('compares a literal dotted field and a nested path alike, and writes each removed record whole to the rejects', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synthforge-dedup-step-'));
    const records = Array.from({ length: 60 }, (_, index) => {
      const base = Math.floor(index / 3);
      const text = index % 3 === 2 ? `${sentence(base)} extra` : sentence(base);
      return {
        id: `r${String(index).padStart(3, '0')}`,
        source: 'seeds.jsonl:1',
        fields: { 'meta.note': text, meta: { note: 'one nested note for every record', other: index }, unrelated: { big: 'x'.repeat(200) }, ['__proto__']: { odd: index } },
        lineage: [{ step: 'answer', index }],
      };
    });
    const lines = records.map((record) => JSON.stringify(record));
    const input = join(dir, 'stage-01.jsonl');
    writeFileSync(input, `${lines.join('\n')}\n`);
    const step: DedupStep = { kind: 'dedup', name: 'dedup', index: 1, spec: parseDedupSpec({ fields: ['meta.note', 'meta.other'], near: { threshold: 0.8 } }) };
    const rejects = new StepRejects(join(dir, 'rejects.jsonl'), { keepRemoved: true });
    const counts = await runDedupStep(step, input, join(dir, 'stage-02.jsonl'), { rejects, records: records.length, workers: 1 });
    await rejects.commit();

    // The verdicts of the deduper on the whole records: "meta.note" is the literal key
    // (lookupFieldPath tries it first; the nested meta.note, the same in every record, would make
    // nearly all of them duplicates), "meta.other" the nested path.
    const expected: string[] = [];
    for await (const { record, verdict } of dedupStream(asyncOf(records), step.spec)) if (!verdict.keep) expected.push(`${record.id} ${verdict.reason} ${verdict.duplicateOf}`);
    expect(counts).toMatchObject({ input: 60, duplicates: { exact: 0 } });
    const kept = readFileSync(join(dir, 'stage-02.jsonl'), 'utf8').trim().split('\n');
    const removed = readFileSync(join(dir, 'rejects.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(kept.length + removed.length).toBe(60);
    expect(removed.map((reject) => `${reject.id as string} near ${/of (\S+)/.exec(reject.reason as string)![1]}`)).toEqual(expected);
    expect(removed.length).toBe(40);
    for (const line of kept) expect(lines).toContain(line);
    for (const reject of removed) {
      const original = records.find((record) => record.id === reject.id)!;
      expect(reject).toMatchObject({ source: original.source, step: 'dedup', kind: 'duplicate' });
      expect(JSON.stringify(reject.fields)).toBe(JSON.stringify(original.fields));
    }
  });
});

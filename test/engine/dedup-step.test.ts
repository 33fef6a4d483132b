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
  it('writes the kept lines as read, each with one LF: CRLF, empty lines, a last line without its newline, with and without workers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synthforge-dedup-step-'));
    const line = (index: number, seed: number) => JSON.stringify({ id: `r${index}`, fields: { text: sentence(seed) } });
    const step: DedupStep = { kind: 'dedup', name: 'dedup', index: 1, spec: parseDedupSpec({ fields: ['text'], exact: true }) };
    const cases = [
      // r2 repeats r0 (dropped), a CRLF line, an empty line, the last line without its newline.
      { text: `${line(0, 1)}\n${line(1, 2)}\r\n${line(2, 1)}\n\n${line(3, 3)}\n${line(4, 4)}`, kept: [line(0, 1), line(1, 2), line(3, 3), line(4, 4)] },
      // Nothing dropped and no newline at the end: the kept bytes fill the whole batch.
      { text: `${line(0, 1)}\n${line(1, 2)}`, kept: [line(0, 1), line(1, 2)] },
    ];
    for (const [index, { text, kept }] of cases.entries()) {
      const input = join(dir, `stage-01-${index}.jsonl`);
      writeFileSync(input, text);
      for (const workers of [1, 2]) {
        const output = join(dir, `stage-02-${index}-${workers}.jsonl`);
        const counts = await runDedupStep(step, input, output, { rejects: new StepRejects(join(dir, 'rejects.jsonl')), workers });
        expect(readFileSync(output, 'utf8'), `case ${index}, ${workers} workers`).toBe(`${kept.join('\n')}\n`);
        expect(counts.output).toBe(kept.length);
      }
    }
  });

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

  it('rejects a record lacking the compared field with its source, and keeps the rest as read, on 1 and 2 workers alike', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synthforge-dedup-step-'));
    const records = Array.from({ length: 40 }, (_, index) => ({
      id: `r${String(index).padStart(3, '0')}`,
      source: `seeds.jsonl:${index + 1}`,
      fields: index === 7 ? { other: 'no text here' } : { text: index % 4 === 3 ? sentence(index - 1) : sentence(index) },
    }));
    const lines = records.map((record) => JSON.stringify(record));
    const input = join(dir, 'stage-01.jsonl');
    // CRLF and an empty line: read as readRecordLines reads them.
    writeFileSync(input, `${lines.slice(0, 20).join('\r\n')}\r\n\n${lines.slice(20).join('\n')}\n`);
    const step: DedupStep = { kind: 'dedup', name: 'dedup', index: 1, spec: parseDedupSpec({ fields: ['text'], near: { threshold: 0.8 } }) };
    const outputs: string[] = [];
    for (const workers of [1, 2]) {
      const rejects = new StepRejects(join(dir, `rejects-${workers}.jsonl`), { keepRemoved: true });
      const counts = await runDedupStep(step, input, join(dir, `stage-02-${workers}.jsonl`), { rejects, records: records.length, workers });
      await rejects.commit();
      expect(counts).toMatchObject({ input: 40, output: 30, duplicates: { exact: 9, near: 0 } });
      expect(counts.rejected).toEqual({ count: 1, examples: ['seeds.jsonl:8: dedup field "text" is missing (null would count as present)'] });
      const rejected = readFileSync(join(dir, `rejects-${workers}.jsonl`), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(rejected.filter((reject) => reject.kind === 'error')).toEqual([
        { id: 'r007', source: 'seeds.jsonl:8', step: 'dedup', kind: 'error', reason: 'dedup field "text" is missing (null would count as present)', fields: { other: 'no text here' } },
      ]);
      outputs.push(readFileSync(join(dir, `stage-02-${workers}.jsonl`), 'utf8'));
    }
    expect(outputs[1]).toBe(outputs[0]);
    const keptIds = outputs[0]!.trim().split('\n').map((line) => (JSON.parse(line) as { id: string }).id);
    expect(keptIds).toEqual(records.filter((_, index) => index !== 7 && index % 4 !== 3).map((record) => record.id));
    expect(outputs[0]).toBe(`${lines.filter((_, index) => index !== 7 && index % 4 !== 3).join('\n')}\n`);
  });

  it('counts removed records without writing them when the rejects do not keep them, the kept lines and counts unchanged, on 1 and 2 workers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synthforge-dedup-step-'));
    const records = Array.from({ length: 48 }, (_, index) => ({
      id: `r${String(index).padStart(3, '0')}`,
      source: `seeds.jsonl:${index + 1}`,
      // Exact copies (index % 4 === 3), near copies (index % 4 === 2: one word more) and one record lacking the field.
      fields: index === 5 ? { other: 'no text here' } : { text: index % 4 === 3 ? sentence(index - 3) : index % 4 === 2 ? `${sentence(index - 2)} more` : sentence(index) },
    }));
    const input = join(dir, 'stage-01.jsonl');
    writeFileSync(input, `${records.map((record) => JSON.stringify(record)).join('\n')}\n`);
    const step: DedupStep = { kind: 'dedup', name: 'dedup', index: 1, spec: parseDedupSpec({ fields: ['text'], near: { threshold: 0.8 } }) };
    const runs: { keep: boolean; workers: number; counts: unknown; kept: string; rejects: string[] }[] = [];
    for (const workers of [1, 2]) {
      for (const keep of [true, false]) {
        const path = join(dir, `rejects-${workers}-${keep}.jsonl`);
        const rejects = new StepRejects(path, { keepRemoved: keep });
        const counts = await runDedupStep(step, input, join(dir, `stage-02-${workers}-${keep}.jsonl`), { rejects, records: records.length, workers });
        await rejects.commit();
        const written = readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { id: string; kind: string });
        runs.push({ keep, workers, counts, kept: readFileSync(join(dir, `stage-02-${workers}-${keep}.jsonl`), 'utf8'), rejects: written.map((reject) => `${reject.id} ${reject.kind}`) });
      }
    }
    expect(runs[0]!.counts).toMatchObject({ input: 48, duplicates: { exact: 12, near: 12 }, rejected: { count: 1 } });
    for (const run of runs) {
      expect(run.counts).toEqual(runs[0]!.counts);
      expect(run.kept).toBe(runs[0]!.kept);
      expect(run.rejects).toEqual(run.keep ? runs[0]!.rejects : ['r005 error']);
    }
    expect(runs[0]!.rejects.filter((reject) => reject.endsWith(' duplicate'))).toHaveLength(24);
  });

  it('fails on a stage line that is not JSON, as reading the stage file always did', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synthforge-dedup-step-'));
    const input = join(dir, 'stage-01.jsonl');
    writeFileSync(input, `${JSON.stringify({ id: 'a', fields: { text: 'fine' } })}\n{"id": "cut\n`);
    const step: DedupStep = { kind: 'dedup', name: 'dedup', index: 1, spec: parseDedupSpec({ fields: ['text'], near: { threshold: 0.8 } }) };
    let expected: unknown;
    try {
      JSON.parse('{"id": "cut');
    } catch (error) {
      expected = error;
    }
    for (const workers of [1, 2]) {
      const rejects = new StepRejects(join(dir, 'rejects.jsonl'));
      await expect(runDedupStep(step, input, join(dir, 'stage-02.jsonl'), { rejects, workers })).rejects.toThrow((expected as Error).message);
    }
  });
});

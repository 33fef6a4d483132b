import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dedupStageLines, dedupStream } from '../../src/dedup/dedup-stream.js';
import type { DedupStats, DedupVerdict } from '../../src/dedup/deduper.js';
import { asyncOf, nearSpec, plantedCorpus, range, specOf, wordsText } from './fixtures.js';

type Row = { id: string; fields: Record<string, unknown> };

/** The planted corpus with exact and near copies far apart, non-ASCII text, and lines the deduper cannot take. */
function stageFile(): { path: string; rows: Row[]; lines: string[] } {
  const rows: Row[] = plantedCorpus()
    .documents.slice(0, 1500)
    .map((document) => ({ id: document.id, fields: { text: document.text, other: document.id } }));
  rows.splice(10, 0, { id: 'copy-near', fields: { text: (rows[3]!.fields.text as string).toUpperCase() } });
  rows.push({ id: 'copy-far', fields: { text: rows[5]!.fields.text } });
  const unicode = `Ｈｅｌｌｏ wörld — ${wordsText(range(0, 40))} 東京タワー 😀 \ud800 tail`;
  rows.splice(200, 0, { id: 'uni-1', fields: { text: unicode } });
  rows.splice(900, 0, { id: 'uni-2', fields: { text: unicode.replace('\ud800', '') } }, { id: 'uni-3', fields: { text: `${unicode} more words` } });
  const lines = rows.map((row) => JSON.stringify(row));
  // Lines the caller handles itself: no compared field, not JSON.
  lines.splice(50, 0, JSON.stringify({ id: 'no-text', fields: { other: 1 } }));
  lines.splice(700, 0, '{"id": "cut');
  const path = join(mkdtempSync(join(tmpdir(), 'synthforge-stage-lines-')), 'stage.jsonl');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { path, rows, lines };
}

async function lineVerdicts(path: string, options: Parameters<typeof dedupStageLines>[2], spec = nearSpec): Promise<{ lines: string[]; verdicts: (DedupVerdict | undefined)[] }> {
  const lines: string[] = [];
  const verdicts: (DedupVerdict | undefined)[] = [];
  const decoder = new TextDecoder();
  for await (const batch of dedupStageLines(path, spec, options)) {
    for (let line = 0; line < batch.lines.count; line++) {
      lines.push(decoder.decode(batch.bytes.subarray(batch.lines.starts[line], batch.lines.ends[line])));
      verdicts.push(batch.verdicts[line]);
    }
  }
  return { lines, verdicts };
}

describe('dedupStageLines', () => {
  it('gives every line, in order, the verdict dedupStream gives its record, on 1, 2 and 3 workers, and none to a line it cannot take', async () => {
    const { path, rows, lines } = stageFile();
    const expected: DedupVerdict[] = [];
    for await (const { verdict } of dedupStream(asyncOf(rows), nearSpec, { chunkSize: 128 })) expected.push(verdict);
    for (const workers of [1, 2, 3]) {
      let stats: DedupStats | undefined;
      // Small batches: records cross many batch boundaries and several are in flight.
      const got = await lineVerdicts(path, { workers, batchBytes: 20_000, onStats: (final) => (stats = final) });
      expect(got.lines).toEqual(lines);
      expect(got.verdicts[50]).toBeUndefined();
      expect(got.verdicts[700]).toBeUndefined();
      expect(got.verdicts.filter((verdict) => verdict !== undefined)).toEqual(expected);
      expect(stats?.checked).toBe(rows.length);
    }
    const verdictOf = (id: string): DedupVerdict | undefined => expected[rows.findIndex((row) => row.id === id)];
    expect(verdictOf('copy-far')).toEqual({ keep: false, reason: 'exact', duplicateOf: rows[5]!.id });
    expect(verdictOf('uni-3')).toMatchObject({ keep: false, reason: 'near', duplicateOf: 'uni-1' });
  });

  it('drops copies of references, and runs exact-only dedup the same way, on 1 and 2 workers', async () => {
    const { path, rows } = stageFile();
    const references = rows.slice(0, 100).map((row) => ({ id: `v1:${row.id}`, fields: row.fields }));
    for (const spec of [nearSpec, specOf({ fields: ['text'] })]) {
      const expected: DedupVerdict[] = [];
      for await (const { verdict } of dedupStream(asyncOf(rows), spec, { references: asyncOf(references) })) expected.push(verdict);
      for (const workers of [1, 2]) {
        const got = await lineVerdicts(path, { workers, batchBytes: 50_000, references: asyncOf(references) }, spec);
        expect(got.verdicts.filter((verdict) => verdict !== undefined)).toEqual(expected);
      }
      expect(expected[0]).toMatchObject({ keep: false, duplicateOf: `v1:${rows[0]!.id}` });
    }
  });

  it('gives the verdicts of dedupStream without workers when the index spills (max_index_mb), its shingle sets taken from the batches', async () => {
    const { path, rows } = stageFile();
    const expected: DedupVerdict[] = [];
    for await (const { verdict } of dedupStream(asyncOf(rows), nearSpec, { maxIndexBytes: 2 ** 40 })) expected.push(verdict);
    let stats: DedupStats | undefined;
    const got = await lineVerdicts(path, { workers: 1, batchBytes: 20_000, maxIndexBytes: 64 * 1024, onStats: (final) => (stats = final) });
    expect(got.verdicts.filter((verdict) => verdict !== undefined)).toEqual(expected);
    expect(stats?.indexSpilledBytes).toBeGreaterThan(0);
  });

  it('refuses a semantic spec (its vectors are read on the calling thread, by dedupStream)', async () => {
    const { path } = stageFile();
    const spec = specOf({ fields: ['text'], semantic: { field: 'embedding', threshold: 0.9 } });
    await expect(lineVerdicts(path, {}, spec)).rejects.toThrow(/semantic step goes through dedupStream/);
  });
});

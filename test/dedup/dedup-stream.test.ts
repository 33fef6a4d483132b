import { describe, expect, it } from 'vitest';
import { createDeduper, type DedupStats, type DedupVerdict } from '../../src/dedup/deduper.js';
import { dedupStream } from '../../src/dedup/dedup-stream.js';
import { SynthforgeError } from '../../src/errors.js';
import { asyncOf, nearSpec, plantedCorpus, range, specOf, wordsText } from './fixtures.js';

type Row = { id: string; fields: Record<string, unknown> };

function corpusRows(count = 1500): Row[] {
  return plantedCorpus()
    .documents.slice(0, count)
    .map((document) => ({ id: document.id, fields: { text: document.text } }));
}

async function collect(
  rows: Row[],
  options: Parameters<typeof dedupStream>[2] = {},
  spec = nearSpec,
): Promise<{ record: Row; verdict: DedupVerdict }[]> {
  const out: { record: Row; verdict: DedupVerdict }[] = [];
  for await (const item of dedupStream(asyncOf(rows), spec, options)) out.push(item);
  return out;
}

describe('dedupStream', () => {
  it('yields every record once, in input order, with the verdicts of createDeduper', async () => {
    const rows = corpusRows();
    const streamed = await collect(rows, { chunkSize: 100 });
    expect(streamed.map(({ record }) => record)).toEqual(rows);
    expect(streamed.every(({ record }, index) => record === rows[index])).toBe(true);
    const deduper = await createDeduper(nearSpec);
    expect(streamed.map(({ verdict }) => verdict)).toEqual(rows.map((row) => deduper.check(row.id, row.fields.text as string)));
  });

  it('gives identical verdicts with worker threads, including exact duplicates within and across chunks', async () => {
    const rows = corpusRows();
    // Exact copies: one right after its original (same chunk), one far away (another chunk).
    rows.splice(10, 0, { id: 'copy-near', fields: { text: (rows[3]!.fields.text as string).toUpperCase() } });
    rows.push({ id: 'copy-far', fields: { text: rows[5]!.fields.text } });
    // Non-ASCII text travels to workers as UTF-8; a lone surrogate must normalise the same way there.
    const unicode = `Ｈｅｌｌｏ wörld — ${wordsText(range(0, 40))} 東京タワー 😀 \ud800 tail`;
    rows.splice(200, 0, { id: 'uni-1', fields: { text: unicode } });
    rows.splice(900, 0, { id: 'uni-2', fields: { text: unicode.replace('\ud800', '') } }, { id: 'uni-3', fields: { text: `${unicode} more words` } });
    let statsWithWorkers: DedupStats | undefined;
    const single = await collect(rows, { chunkSize: 128 });
    const parallel = await collect(rows, { chunkSize: 128, workers: 2, onStats: (stats) => (statsWithWorkers = stats) });
    expect(parallel.map(({ verdict }) => verdict)).toEqual(single.map(({ verdict }) => verdict));
    expect(parallel.find(({ record }) => record.id === 'copy-near')?.verdict).toEqual({ keep: false, reason: 'exact', duplicateOf: rows[3]!.id });
    expect(parallel.find(({ record }) => record.id === 'copy-far')?.verdict).toEqual({ keep: false, reason: 'exact', duplicateOf: rows[5]!.id });
    expect(statsWithWorkers?.checked).toBe(rows.length);
    expect(parallel.find(({ record }) => record.id === 'uni-2')?.verdict).toEqual({ keep: false, reason: 'exact', duplicateOf: 'uni-1' });
    expect(parallel.find(({ record }) => record.id === 'uni-3')?.verdict).toMatchObject({ keep: false, reason: 'near', duplicateOf: 'uni-1' });
    const again = await collect(rows, { chunkSize: 128, workers: 2 });
    expect(again.map(({ verdict }) => verdict)).toEqual(single.map(({ verdict }) => verdict));
  });

  it('keeps the same records on 1, 2 and 3 workers with planted exact and near copies across chunks', async () => {
    const rows = corpusRows(2000);
    // Exact copies after normalisation (case, spacing, punctuation) and trimmed near copies, some inside
    // their original's chunk and some several chunks later, so each worker count splits them differently.
    const planted = [
      { original: rows[7]!, at: 20, trim: 2 },
      { original: rows[7]!, at: 1500, trim: 4 },
      { original: rows[300]!, at: 1900, trim: 3 },
      { original: rows[640]!, at: 700, trim: 2 },
    ];
    for (const [index, { original, at, trim }] of planted.entries()) {
      const text = original.fields.text as string;
      rows.splice(at, 0, { id: `exact-${index}`, fields: { text: `  ${text.toUpperCase()} !` } });
      rows.splice(at + 1, 0, { id: `near-${index}`, fields: { text: text.split(' ').slice(0, -trim).join(' ') } });
    }
    const verdictsOn = async (workers: number): Promise<DedupVerdict[]> =>
      (await collect(rows, { chunkSize: 96, workers })).map(({ verdict }) => verdict);
    const single = await verdictsOn(1);
    expect(await verdictsOn(2)).toEqual(single);
    expect(await verdictsOn(3)).toEqual(single);
    const verdictOf = new Map(rows.map((row, index) => [row.id, single[index]!]));
    for (const [index, { original }] of planted.entries()) {
      expect(verdictOf.get(`exact-${index}`)).toEqual({ keep: false, reason: 'exact', duplicateOf: original.id });
      expect(verdictOf.get(`near-${index}`)).toMatchObject({ keep: false, reason: 'near', duplicateOf: original.id });
    }
  });

  it('gives the same verdicts, clusters and statistics on 1, 2, 3 and 8 workers, band tables split over them', async () => {
    // 16 bands split 16 / 8+8 / 5+5+6 / 2×8, and 20 bands (high_recall) 20 / 6+7+7:
    // each split must answer the candidates of one table over all bands, in the same order, so even
    // the similarity reported (the best verified pair before a cluster is matched) is the same.
    const rows = corpusRows(3000);
    for (const [index, at] of [40, 700, 1300, 2950].entries()) {
      const original = rows[at - 30]!;
      rows.splice(at, 0, { id: `again-${index}`, fields: { text: `${original.fields.text as string} and one more clause` } });
      rows.splice(at + 1, 0, { id: `twice-${index}`, fields: { text: (original.fields.text as string).toUpperCase() } });
    }
    const references = corpusRows(3000).slice(2000, 2100).map((row) => ({ id: `v1:${row.id}`, fields: row.fields }));
    const cases = [
      { spec: nearSpec, workerCounts: [2, 3, 8] },
      { spec: specOf({ near: { threshold: 0.7, high_recall: true } }), workerCounts: [3] },
    ];
    for (const { spec, workerCounts } of cases) {
      const runOn = async (workers: number): Promise<{ verdicts: DedupVerdict[]; stats: DedupStats }> => {
        let stats: DedupStats | undefined;
        const out = await collect(rows, { chunkSize: 97, workers, references: asyncOf(references), onStats: (value) => (stats = value) }, spec);
        return { verdicts: out.map(({ verdict }) => verdict), stats: { ...stats!, indexBytes: 0 } };
      };
      const single = await runOn(1);
      expect(single.stats).toMatchObject({ exact: expect.any(Number), references: 100 });
      expect(single.verdicts.filter((verdict) => !verdict.keep && verdict.reason === 'near').length).toBeGreaterThan(100);
      expect(single.verdicts.some((verdict) => !verdict.keep && verdict.duplicateOf.startsWith('v1:'))).toBe(true);
      for (const workers of workerCounts) expect(await runOn(workers)).toEqual(single);
    }
  }, 120_000);

  it('spills the shingle sets past the index memory cap and decides the same', async () => {
    const rows = corpusRows(3000);
    const verdictsOf = async (options: Parameters<typeof dedupStream>[2]): Promise<{ verdicts: DedupVerdict[]; spilled: number }> => {
      let spilled = 0;
      const out = await collect(rows, { chunkSize: 128, ...options, onStats: (stats) => (spilled = stats.indexSpilledBytes) });
      return { verdicts: out.map(({ verdict }) => verdict), spilled };
    };
    const unbounded = await verdictsOf({});
    expect(unbounded.spilled).toBe(0);
    for (const workers of [1, 2]) {
      const capped = await verdictsOf({ workers, maxIndexBytes: 256 * 1024 });
      expect(capped.verdicts).toEqual(unbounded.verdicts);
      // ≈ 3000 × 146 shingles × 4 bytes = 1.7 MB, of which all but the cap's worth went to the file.
      expect(capped.spilled).toBeGreaterThan(1_000_000);
    }
  });

  it('decides the same with the band tables sized for the records expected, with and without workers, under a cap too', async () => {
    const rows = corpusRows(3000);
    const verdictsOf = async (options: Parameters<typeof dedupStream>[2]): Promise<DedupVerdict[]> =>
      (await collect(rows, { chunkSize: 128, ...options })).map(({ verdict }) => verdict);
    const grown = await verdictsOf({});
    expect(grown.filter((verdict) => !verdict.keep).length).toBeGreaterThan(100);
    for (const workers of [1, 2]) {
      expect(await verdictsOf({ workers, expectedRecords: rows.length })).toEqual(grown);
      // More records expected than the cap holds: the tables are sized to the cap and freeze past it.
      expect(await verdictsOf({ workers, expectedRecords: 1_000_000, maxIndexBytes: 256 * 1024 })).toEqual(grown);
    }
  }, 60_000);

  it('runs exact-only dedup in workers too', async () => {
    const rows = range(0, 300).map((index) => ({ id: `r${index}`, fields: { text: `Question number ${wordsText([index % 200])}?` } }));
    const verdicts = (await collect(rows, { chunkSize: 100, workers: 2 }, specOf())).map(({ verdict }) => verdict);
    expect(verdicts.filter((verdict) => verdict.keep)).toHaveLength(200);
    expect(verdicts[250]).toEqual({ keep: false, reason: 'exact', duplicateOf: 'r50' });
  });

  it('drops near and exact copies of references and never yields the references', async () => {
    const references = [
      { id: 'v1:a', fields: { text: wordsText(range(0, 150)) } },
      { id: 'v1:b', fields: { text: wordsText(range(300, 450)) } },
    ];
    const rows = [
      { id: 'n1', fields: { text: wordsText([...range(0, 70), 7777, ...range(70, 150)]) } },
      { id: 'n2', fields: { text: wordsText(range(300, 450)).toUpperCase() } },
      { id: 'n3', fields: { text: wordsText(range(600, 750)) } },
    ];
    for (const workers of [1, 2]) {
      let stats: DedupStats | undefined;
      const out = await collect(rows, { references: asyncOf(references), workers, chunkSize: 64, onStats: (value) => (stats = value) });
      expect(out.map(({ record }) => record.id)).toEqual(['n1', 'n2', 'n3']);
      expect(out.map(({ verdict }) => verdict)).toEqual([
        { keep: false, reason: 'near', duplicateOf: 'v1:a', similarity: expect.any(Number) },
        { keep: false, reason: 'exact', duplicateOf: 'v1:b' },
        { keep: true },
      ]);
      expect(stats).toMatchObject({ checked: 3, references: 2, kept: 1 });
    }
  });

  it('reads no further ahead than the chunks in flight (backpressure)', async () => {
    let pulled = 0;
    let finished = false;
    async function* endless(): AsyncIterable<Row> {
      try {
        for (let index = 0; ; index++) {
          pulled++;
          yield { id: `r${index}`, fields: { text: `distinct text number ${wordsText([index, index + 1, index * 7])}` } };
        }
      } finally {
        finished = true;
      }
    }
    const stream = dedupStream(endless(), nearSpec, { chunkSize: 10 })[Symbol.asyncIterator]();
    await stream.next();
    expect(pulled).toBe(10);
    for (let index = 1; index < 10; index++) await stream.next();
    expect(pulled).toBe(10);
    await stream.next();
    expect(pulled).toBe(20);
    let taken = 11;
    for await (const _ of { [Symbol.asyncIterator]: () => stream }) if (++taken >= 25) break;
    expect(pulled).toBe(30);
    expect(finished).toBe(true);
  });

  it('bounds read-ahead with workers to (workers + 1) chunks', async () => {
    let pulled = 0;
    async function* source(): AsyncIterable<Row> {
      for (let index = 0; index < 5000; index++) {
        pulled++;
        yield { id: `r${index}`, fields: { text: wordsText(range(index, index + 20)) } };
      }
    }
    const stream = dedupStream(source(), nearSpec, { chunkSize: 100, workers: 2 })[Symbol.asyncIterator]();
    await stream.next();
    expect(pulled).toBe(300);
    await stream.return?.(undefined);
  });

  it('reports a missing field with the record id', async () => {
    const rows = [{ id: 'ok', fields: { text: 'a b c' } }, { id: 'bad', fields: { other: 'x' } }];
    const failure = await collect(rows).catch((error: unknown) => error);
    expect(SynthforgeError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toContain('bad');
  });
});


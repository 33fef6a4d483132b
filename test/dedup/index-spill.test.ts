import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dedupStream } from '../../src/dedup/dedup-stream.js';
import type { DedupStats, DedupVerdict } from '../../src/dedup/deduper.js';
import { ExactKeyTable } from '../../src/dedup/exact.js';
import { FrozenRun, type RecordSource } from '../../src/dedup/frozen-run.js';
import { IdColumn } from '../../src/dedup/id-column.js';
import { LshIndex } from '../../src/dedup/lsh.js';
import { createSplitMix32 } from '../../src/dedup/mix32.js';
import { TieredExactTable } from '../../src/dedup/tiered-exact-table.js';
import { TieredLsh } from '../../src/dedup/tiered-lsh.js';
import { asyncOf, nearSpec, plantedCorpus, range, wordsText } from './fixtures.js';

type Row = { id: string; fields: Record<string, unknown> };

const directories: string[] = [];
function spillDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'synthforge-spill-test-'));
  directories.push(directory);
  return directory;
}
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

/** Descriptors this process (worker threads included) holds on files of `directory`. */
function openFilesIn(directory: string): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(directory)) count++;
    } catch {
      // The descriptor readdir itself used is gone by now.
    }
  }
  return count;
}
const hasProcFd = (() => {
  try {
    readdirSync('/proc/self/fd');
    return true;
  } catch {
    return false;
  }
})();

/**
 * The planted corpus (near-duplicates within a window of 300), plus exact copies (same and other
 * case), plus a template family of 400 one-word variants whose buckets hold far more than the
 * fan-out cap, so the cap's cut falls across the live table and the runs.
 */
function spillCorpus(): Row[] {
  const rows: Row[] = plantedCorpus().documents.map((document) => ({ id: document.id, fields: { text: document.text } }));
  const base = range(0, 120);
  for (let variant = 0; variant < 400; variant++) {
    const words = base.map((word, index) => (index === variant % 120 ? 100_000 + variant : word));
    rows.splice(200 + variant * 7, 0, { id: `tpl-${variant}`, fields: { text: wordsText(words) } });
  }
  for (let copy = 0; copy < 300; copy++) {
    const original = rows[copy * 11]!;
    rows.push({ id: `copy-${copy}`, fields: { text: copy % 2 === 0 ? (original.fields.text as string).toUpperCase() : original.fields.text } });
  }
  return rows;
}

async function verdictsOf(rows: Row[], options: Parameters<typeof dedupStream>[2]): Promise<{ verdicts: DedupVerdict[]; stats: DedupStats }> {
  let stats: DedupStats | undefined;
  const verdicts: DedupVerdict[] = [];
  for await (const { verdict } of dedupStream(asyncOf(rows), nearSpec, { chunkSize: 97, ...options, onStats: (value) => (stats = value) })) verdicts.push(verdict);
  return { verdicts, stats: stats! };
}

describe('TieredLsh', () => {
  it('collects exactly what one LshIndex gives, same documents in the same order, across freezes and merges', () => {
    const bands = 4;
    const maxPerBucket = 3;
    const one = new LshIndex(bands);
    const tiered = new TieredLsh(bands, maxPerBucket, { maxLiveBytes: 2048, spillDirectory: spillDirectory() });
    const random = createSplitMix32(11);
    const keys = new Int32Array(bands);
    const expected = new Int32Array(bands * maxPerBucket);
    const got = new Int32Array(bands * maxPerBucket);
    for (let doc = 0; doc < 5000; doc++) {
      // A small key space: buckets of every size, many past the fan-out cap.
      for (let band = 0; band < bands; band++) keys[band] = (random() >>> 0) % (doc < 2500 ? 300 : 4000);
      const count = one.collectAndInsert(doc, keys, 0, maxPerBucket, expected);
      expect(tiered.collectAndInsert(doc, keys, 0, got)).toBe(count);
      expect(Array.from(got.subarray(0, count))).toEqual(Array.from(expected.subarray(0, count)));
    }
    expect(tiered.spilledBytes).toBeGreaterThan(0);
    expect(tiered.byteLength).toBeLessThan(one.byteLength / 4);
    tiered.close();
  });
});

describe('FrozenRun images on one thread', () => {
  it('writes a run placed slice by slice (a pass per slice) that answers every key as one placed whole', () => {
    // Groups of 1–4 records (newest first, as the LSH gives them), 3000 keys over 2 bands.
    const random = createSplitMix32(7);
    const records: [number, number, number][] = [];
    for (let key = 0; key < 3000; key++) {
      const band = key % 2;
      const value = (random() >>> 0) % 100_000;
      for (let doc = 1 + ((random() >>> 0) % 4); doc > 0; doc--) records.push([band, value, key * 10 + doc]);
    }
    const source: RecordSource = (emit) => {
      for (const [a, b, v] of records) emit(a, b, v);
    };
    const whole = FrozenRun.write(3000, source, spillDirectory());
    // 64 partitions of ≈ 120 records. 1: every partition a slice of its own; 300: two or so per slice.
    const sliced = [1, 300].map((sliceRecords) => FrozenRun.write(3000, source, spillDirectory(), sliceRecords));
    const expected = new Int32Array(8);
    const got = new Int32Array(8);
    for (const [a, b] of records) {
      const count = whole.lookup(a, b, expected, 0, 8);
      expect(count).toBeGreaterThan(0);
      for (const run of sliced) {
        expect(run.lookup(a, b, got, 0, 8)).toBe(count);
        expect(Array.from(got.subarray(0, count))).toEqual(Array.from(expected.subarray(0, count)));
      }
    }
    expect(sliced.map((run) => run.fileBytes)).toEqual([whole.fileBytes, whole.fileBytes]);
    for (const run of [whole, ...sliced]) run.close();
  });

  it('keeps every run exact when tables of different sizes freeze in turn (their writes share one image)', () => {
    const bands = 4;
    const maxPerBucket = 3;
    // Caps far apart, so the image grows, then serves a smaller run, then a larger one again.
    const tables = [2048, 24 * 1024, 4096].map((maxLiveBytes, seed) => ({
      one: new LshIndex(bands),
      tiered: new TieredLsh(bands, maxPerBucket, { maxLiveBytes, spillDirectory: spillDirectory() }),
      random: createSplitMix32(21 + seed),
    }));
    const keys = new Int32Array(bands);
    const expected = new Int32Array(bands * maxPerBucket);
    const got = new Int32Array(bands * maxPerBucket);
    for (let doc = 0; doc < 6000; doc++) {
      for (const { one, tiered, random } of tables) {
        for (let band = 0; band < bands; band++) keys[band] = (random() >>> 0) % 3000;
        const count = one.collectAndInsert(doc, keys, 0, maxPerBucket, expected);
        expect(tiered.collectAndInsert(doc, keys, 0, got)).toBe(count);
        expect(Array.from(got.subarray(0, count))).toEqual(Array.from(expected.subarray(0, count)));
      }
    }
    for (const { tiered } of tables) {
      expect(tiered.spilledBytes).toBeGreaterThan(0);
      tiered.close();
    }
  });
});

describe('TieredExactTable', () => {
  it('finds every key stored, in the live table or a run, and no other', () => {
    const table = new TieredExactTable(16 * 1024, spillDirectory());
    const reference = new ExactKeyTable();
    const random = createSplitMix32(5);
    for (let doc = 0; doc < 20_000; doc++) {
      const high = random() % 50;
      const low = random() % 2000;
      const found = reference.find(high, low);
      expect(table.find(high, low)).toBe(found);
      if (found < 0) {
        reference.insert(high, low, doc);
        table.insert(high, low, doc);
      }
    }
    expect(table.spilledBytes).toBeGreaterThan(0);
    table.close();
  });
});

describe('IdColumn', () => {
  it('gives back every id, held or spilled, non-ASCII included', () => {
    const column = new IdColumn(20_000, spillDirectory());
    const ids = range(0, 30_000).map((index) => (index % 3 === 0 ? '' : index % 7 === 0 ? `é-ß-${index}-日本` : `id-${index}`));
    for (const id of ids) column.push(id);
    expect(column.spilledBytes).toBeGreaterThan(0);
    // Only the segment being filled (4096 ids) stays once the cap is below one segment.
    expect(column.byteLength).toBeLessThan(4096 * 40);
    for (let doc = 0; doc < ids.length; doc += 13) expect(column.get(doc)).toBe(ids[doc]);
    expect(column.get(29_999)).toBe(ids[29_999]);
    column.close();
  });
});

describe('the text dedup index past max_index_mb', () => {
  it('spills every part with a tiny cap and decides every record exactly as the index held in memory, with and without workers', async () => {
    const rows = spillCorpus();
    const unbounded = await verdictsOf(rows, { maxIndexBytes: 2 ** 40 });
    expect(unbounded.stats.indexSpilledBytes).toBe(0);
    expect(unbounded.stats.near).toBeGreaterThan(500);
    expect(unbounded.stats.exact).toBeGreaterThan(100);
    for (const workers of [1, 2, 3]) {
      const capped = await verdictsOf(rows, { workers, maxIndexBytes: 96 * 1024, spillDirectory: spillDirectory() });
      expect(capped.verdicts).toEqual(unbounded.verdicts);
      expect(capped.stats.indexSpilledBytes).toBeGreaterThan(1_000_000);
      expect(capped.stats.indexBytes).toBeLessThan(unbounded.stats.indexBytes / 3);
    }
  }, 180_000);

  it.runIf(hasProcFd)('leaves no file and no descriptor behind, after a run and after a failed one', async () => {
    const rows = spillCorpus().slice(0, 2500);
    for (const workers of [1, 2]) {
      const directory = spillDirectory();
      let heldDuringRun = 0;
      let seen = 0;
      for await (const _ of dedupStream(asyncOf(rows), nearSpec, { workers, chunkSize: 97, maxIndexBytes: 64 * 1024, spillDirectory: directory })) {
        if (++seen === 2000) heldDuringRun = openFilesIn(directory);
      }
      expect(heldDuringRun).toBeGreaterThan(0);
      expect(readdirSync(directory)).toEqual([]);
      expect(openFilesIn(directory)).toBe(0);

      async function* failing(): AsyncIterable<Row> {
        yield* rows.slice(0, 2000);
        throw new Error('the input broke');
      }
      const failed = spillDirectory();
      await expect(
        (async () => {
          for await (const _ of dedupStream(failing(), nearSpec, { workers, chunkSize: 97, maxIndexBytes: 64 * 1024, spillDirectory: failed }));
        })(),
      ).rejects.toThrow('the input broke');
      expect(readdirSync(failed)).toEqual([]);
      expect(openFilesIn(failed)).toBe(0);
    }
  }, 120_000);
});

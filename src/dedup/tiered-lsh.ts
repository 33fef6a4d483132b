import { FrozenRun, RunTier, runKeyHash } from './frozen-run.js';
import { LshIndex } from './lsh.js';

/**
 * The LSH index (lsh.ts) bounded in memory: a live LshIndex takes the inserts; when inserting the
 * next document would grow it past `maxLiveBytes`, it is frozen into a run on disk (frozen-run.ts:
 * each bucket's newest `maxPerBucket` documents, with a Bloom filter kept in memory) and the live
 * table is emptied in place to restart at that document. More than MAX_RUNS runs are merged into
 * one (concatenated per partition, newest first), so a probe asks at most MAX_RUNS + 1 tiers.
 *
 * Cost (bench/README.md): at a 64 MiB cap and 1M documents, spilling doubles the CPU per document
 * of one thread (freezing walks each entry and copies it to a scratch file, then places it from there;
 * merges re-read and re-filter every record; a probe checks up to five filters per band). A freeze
 * holds at most 12 MiB of the run's image at once (frozen-run.ts).
 *
 * Exactness: documents arrive in increasing order, so every document in the live table is newer than
 * every one in a run, and a newer run's newer than an older run's. `collectAndInsert` walks a
 * bucket's live chain, then the runs newest first, and stops at `maxPerBucket` documents in all:
 * the same documents in the same order as one LshIndex holding everything. A bucket's documents
 * past its newest `maxPerBucket` are never visited by that cap, which is why a run may drop them.
 */

const MAX_RUNS = 4;

export interface TieredLshOptions {
  /** Bytes the live table may take before it is frozen to disk (default: no limit). */
  maxLiveBytes?: number;
  /** Documents expected: the live table is sized for them up front, as far as maxLiveBytes allows. */
  expectedDocs?: number;
  spillDirectory?: string;
}

export class TieredLsh extends RunTier {
  private readonly live: LshIndex;
  private readonly maxLiveBytes: number;
  private readonly bandCounts: Int32Array;
  private readonly liveFound: Int32Array;

  constructor(
    readonly bands: number,
    /** The fan-out cap every collect uses (lsh.ts); runs keep no more than this per bucket. */
    readonly maxPerBucket: number,
    private readonly options: TieredLshOptions = {},
  ) {
    super();
    this.maxLiveBytes = options.maxLiveBytes ?? Number.POSITIVE_INFINITY;
    // Sized for the documents expected, but never past the cap (a table takes at most 36 B per
    // entry), so a freeze is not forced by the first allocation; a small cap, in tests, gets small
    // first tables.
    const wanted = Math.max(1024, options.expectedDocs ?? 0);
    this.live = new LshIndex(bands, 0, Math.max(4, Math.min(wanted, Math.floor(this.maxLiveBytes / (bands * 64)))));
    this.bandCounts = new Int32Array(bands);
    this.liveFound = new Int32Array(bands * maxPerBucket);
  }

  /**
   * LshIndex.collectAndInsert over every tier, with this index's `maxPerBucket`: writes the earlier
   * documents sharing a bucket with `keys` to `out` (bands × maxPerBucket values), returns how many.
   */
  collectAndInsert(doc: number, keys: Int32Array, offset: number, out: Int32Array): number {
    if (!this.live.empty && this.live.byteLengthAfter(doc) > this.maxLiveBytes) this.freeze(doc);
    const max = this.maxPerBucket;
    if (this.runs.length === 0) return this.live.collectAndInsert(doc, keys, offset, max, out);
    const counts = this.bandCounts;
    const liveFound = this.liveFound;
    this.live.collectAndInsert(doc, keys, offset, max, liveFound, counts);
    let written = 0;
    let read = 0;
    for (let band = 0; band < this.bands; band++) {
      const fromLive = counts[band]!;
      for (let index = 0; index < fromLive; index++) out[written++] = liveFound[read++]!;
      const key = keys[offset + band]!;
      let wanted = max - fromLive;
      if (wanted === 0) continue;
      const hash = runKeyHash(band, key);
      for (let run = 0; run < this.runs.length && wanted > 0; run++) {
        const got = this.runs[run]!.lookup(band, key, out, written, wanted, hash);
        written += got;
        wanted -= got;
      }
    }
    return written;
  }

  protected liveBytes(): number {
    return this.live.byteLength;
  }

  private freeze(nextDoc: number): void {
    const live = this.live;
    const run = FrozenRun.write(
      live.buckets,
      (emit) =>
        live.forEachBucket(this.maxPerBucket, (band, key, docs, found) => {
          for (let index = 0; index < found; index++) emit(band, key, docs[index]!);
        }),
      this.options.spillDirectory,
    );
    this.runs.unshift(run);
    live.reset(nextDoc);
    if (this.runs.length > MAX_RUNS) {
      const merged = FrozenRun.merge(this.runs, this.options.spillDirectory);
      for (const old of this.runs) old.close();
      this.runs = [merged];
    }
  }
}

import { ExactKeyTable } from './exact.js';
import { FrozenRun, RunTier, runKeyHash } from './frozen-run.js';

/**
 * The exact-key table (exact.ts) bounded in memory, as tiered-lsh.ts bounds the band tables: a live
 * ExactKeyTable takes the inserts; when the next insert would grow it past `maxLiveBytes`, it is
 * frozen into a run on disk (frozen-run.ts; a Bloom filter of ≈ 1.5 bytes per key stays in memory)
 * and a new empty table starts. A key is stored once (insert only follows a failed find), so a find
 * asks the live table, then each run until one has the key: the same answer as one table. More than
 * MAX_RUNS runs are merged into one.
 */

const MAX_RUNS = 4;

export class TieredExactTable extends RunTier {
  private live: ExactKeyTable;
  private readonly found = new Int32Array(1);
  private readonly initialSlots: number;

  constructor(
    private readonly maxLiveBytes = Number.POSITIVE_INFINITY,
    private readonly spillDirectory?: string,
  ) {
    super();
    // A small cap (tests) gets a small first table, so a freeze is not forced by the first allocation.
    this.initialSlots = 1 << Math.max(4, Math.min(12, Math.floor(Math.log2(maxLiveBytes / 24))));
    this.live = new ExactKeyTable(this.initialSlots);
  }

  /** The document stored under the key, or -1. */
  find(high: number, low: number): number {
    const doc = this.live.find(high, low);
    if (doc >= 0 || this.runs.length === 0) return doc;
    const hash = runKeyHash(high | 0, low | 0);
    for (const run of this.runs) if (run.lookup(high | 0, low | 0, this.found, 0, 1, hash) === 1) return this.found[0]!;
    return -1;
  }

  /** Stores a key that `find` did not find. */
  insert(high: number, low: number, doc: number): void {
    if (this.live.size > 0 && this.live.byteLengthAfterInsert > this.maxLiveBytes) this.freeze();
    this.live.insert(high, low, doc);
  }

  protected liveBytes(): number {
    return this.live.byteLength;
  }

  private freeze(): void {
    const live = this.live;
    this.runs.unshift(FrozenRun.write(live.size, (emit) => live.forEach(emit), this.spillDirectory));
    this.live = new ExactKeyTable(this.initialSlots);
    if (this.runs.length > MAX_RUNS) {
      const merged = FrozenRun.merge(this.runs, this.spillDirectory);
      for (const old of this.runs) old.close();
      this.runs = [merged];
    }
  }
}

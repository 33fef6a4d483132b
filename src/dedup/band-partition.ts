import { TieredLsh } from './tiered-lsh.js';

/**
 * A share of the LSH index kept by one worker thread: the band tables of bands
 * [firstBand, firstBand + bandCount) of every document. The calling thread numbers the documents
 * (exact duplicates get none) and sends each chunk's band keys and numbers to every partition; each
 * answers, per document, the earlier documents sharing one of its buckets (at most maxPerBucket per
 * band, newest first) and inserts the document. Concatenated in band order, the partitions' answers
 * are exactly what one LshIndex over all bands gives (a bucket is a band and a key, lsh.ts), so the
 * verdicts do not depend on how many partitions there are.
 *
 * Why: probing 16 buckets per document in tables that outgrow every cache was the largest cost left
 * on the calling thread, which sets the pace of a parallel dedup; split by band, the probing runs on
 * every worker at once, and each worker's tables are 1/N of the index, so they stay warmer.
 */

export interface BandRange {
  firstBand: number;
  bandCount: number;
}

/** `bands` split into at most `parts` contiguous ranges of near-equal size, in band order. */
export function splitBands(bands: number, parts: number): BandRange[] {
  const count = Math.max(1, Math.min(bands, parts));
  const ranges: BandRange[] = [];
  for (let part = 0; part < count; part++) {
    const firstBand = Math.floor((part * bands) / count);
    ranges.push({ firstBand, bandCount: Math.floor(((part + 1) * bands) / count) - firstBand });
  }
  return ranges;
}

/** One partition's answer for a chunk: document i's candidates are candidates[starts[i], starts[i + 1]). */
export interface PartitionCandidates {
  starts: Uint32Array<ArrayBuffer>;
  candidates: Int32Array<ArrayBuffer>;
  /** The partition's table bytes in memory after this chunk, for the index statistics. */
  byteLength: number;
  /** Bytes of its run files. */
  spilledBytes: number;
}

export class BandPartition {
  private readonly lsh: TieredLsh;
  private readonly found: Int32Array;
  private buffer = new Int32Array(1 << 14);

  constructor(
    /** Bands per document in the band-key arrays (all partitions together). */
    readonly bands: number,
    readonly range: BandRange,
    readonly maxPerBucket: number,
    /** This partition's share of the index's memory, where its runs spill, documents expected (tiered-lsh.ts). */
    options: { maxLiveBytes?: number; spillDirectory?: string; expectedDocs?: number } = {},
  ) {
    this.lsh = new TieredLsh(range.bandCount, maxPerBucket, options);
    this.found = new Int32Array(range.bandCount * maxPerBucket);
  }

  /**
   * Probes and inserts documents 0 … count − 1 of a chunk in order: `bandKeys` holds `bands` keys
   * per document, `entered[i]` is document i's number, negative for one that is not indexed.
   */
  probe(bandKeys: Int32Array, entered: Int32Array, count: number): PartitionCandidates {
    const { bands, lsh, found } = this;
    const firstBand = this.range.firstBand;
    const starts = new Uint32Array(count + 1);
    let used = 0;
    for (let doc = 0; doc < count; doc++) {
      starts[doc] = used;
      const number = entered[doc]!;
      if (number < 0) continue;
      const written = lsh.collectAndInsert(number, bandKeys, doc * bands + firstBand, found);
      if (written === 0) continue;
      if (used + written > this.buffer.length) {
        const grown = new Int32Array(Math.max(used + written, this.buffer.length * 2));
        grown.set(this.buffer.subarray(0, used));
        this.buffer = grown;
      }
      this.buffer.set(found.subarray(0, written), used);
      used += written;
    }
    starts[count] = used;
    return { starts, candidates: this.buffer.slice(0, used), byteLength: lsh.byteLength, spilledBytes: lsh.spilledBytes };
  }

  /** Closes the partition's run files. */
  close(): void {
    this.lsh.close();
  }
}

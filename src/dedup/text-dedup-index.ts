import type { DedupConfig, NearDedupConfig } from './dedup-spec.js';
import type { DedupStats, DedupVerdict } from './dedup-verdict.js';
import { ExactKeyTable } from './exact.js';
import { exactJaccard, jaccardUpperBound, sortUnique } from './jaccard.js';
import { LshIndex } from './lsh.js';
import { ShingleArena } from './shingle-arena.js';
import { UnionFind } from './union-find.js';

/**
 * The order-dependent half of exact and near deduplication: given each document's sketch
 * (document-sketcher.ts), decide keep or drop, in arrival order. Single-threaded by design;
 * everything per document lives in typed arrays (ids aside).
 *
 * For each document, in order:
 *   1. exact: its key is looked up in the exact table; a hit is an exact duplicate of the cluster
 *      root of the document that first had the key (counted into that cluster, never indexed).
 *   2. near: LSH candidates (≤ maxBucketFanout per band, lsh.ts) are verified by exact Jaccard of
 *      the sorted shingle sets; a candidate already known to be in a matched cluster is skipped.
 *   3. insert: the document gets the next document number, its key, its shingles and its band keys
 *      are stored, and it is united with every cluster it matched.
 * Query-then-insert means a document is only ever compared with earlier ones.
 *
 * Resolution: a cluster's root is its earliest document (union-find.ts), which is the record that
 * was kept (or a reference). A dropped document names that root as duplicateOf, even when the pair
 * actually verified was with another member (A ~ B, B ~ C drops C as a duplicate of A: connected
 * components, as datatrove and text-dedup). Near-duplicates that were dropped stay indexed so later
 * paraphrases of them are found too. Streaming cannot take back a verdict: if a later document
 * bridges two clusters whose roots were both kept, both stay kept and the clusters merge.
 *
 * References (earlier dataset versions) take the same path but are never counted as checked or
 * emitted; anything that matches them is dropped with the reference's id as duplicateOf.
 */

/** What TextDedupIndex itself counts; DedupPipeline (deduper.ts) adds the semantic figures. */
export type TextDedupStats = Omit<DedupStats, 'semantic' | 'semanticCompared' | 'semanticIndex' | 'semanticSkippedReferences'>;

/** A document's near-duplicate sketch, as views into caller-owned arrays (reused between calls). */
export interface SketchView {
  shingles: Int32Array;
  shingleStart: number;
  shingleCount: number;
  bandKeys: Int32Array;
  bandOffset: number;
  /** Whether the shingle run is already sorted without repeats (a worker's batch); else sorted here when needed. */
  sorted: boolean;
}

const KEEP: DedupVerdict = Object.freeze({ keep: true });

export class TextDedupIndex {
  private readonly ids: string[] = [];
  private readonly clusters = new UnionFind();
  private readonly exactTable: ExactKeyTable | undefined;
  private readonly near: NearDedupConfig | undefined;
  private readonly lsh: LshIndex | undefined;
  private readonly arena: ShingleArena | undefined;
  private readonly candidates: Int32Array;
  private readonly matchedRoots: number[] = [];
  private stamps = new Int32Array(1024);
  private query = 0;
  private checked = 0;
  private exactDrops = 0;
  private nearDrops = 0;
  private kept = 0;
  private references = 0;
  private verified = 0;

  constructor(config: DedupConfig) {
    this.exactTable = config.exact ? new ExactKeyTable() : undefined;
    this.near = config.near;
    this.lsh = config.near === undefined ? undefined : new LshIndex(config.near.bands);
    this.arena = config.near === undefined ? undefined : new ShingleArena();
    this.candidates = new Int32Array(config.near === undefined ? 0 : config.near.bands * config.near.maxBucketFanout);
  }

  /**
   * Step 1. Returns the verdict for an exact duplicate (counted; for a reference the verdict only
   * says "already known"), or undefined when the key is new or exact dedup is off; the caller then
   * sketches the document (if near is on) and calls `admit`.
   */
  matchExact(high: number, low: number, asReference: boolean): DedupVerdict | undefined {
    if (this.exactTable === undefined) return undefined;
    const original = this.exactTable.find(high, low);
    if (original < 0) return undefined;
    const root = this.clusters.find(original);
    this.clusters.grow(root);
    if (asReference) {
      this.references++;
    } else {
      this.checked++;
      this.exactDrops++;
    }
    return { keep: false, reason: 'exact', duplicateOf: this.ids[root]! };
  }

  /**
   * Steps 2–3 for a document that is not an exact duplicate. `sketch` is required when near-dedup
   * is on; its shingle run is sorted in place when a verification needs it, unless it comes sorted.
   */
  admit(id: string, high: number, low: number, sketch: SketchView | undefined, asReference: boolean): DedupVerdict {
    const near = this.near;
    const doc = this.clusters.add();
    const matchedRoots = this.matchedRoots;
    matchedRoots.length = 0;
    let bestSimilarity = 0;

    if (near !== undefined) {
      if (sketch === undefined) throw new Error('admit() needs a sketch when near-dedup is on');
      const arena = this.arena!;
      const query = ++this.query;
      let shingleCount = sketch.shingleCount;
      let sorted = sketch.sorted;
      // Query and insert in one probe per band; the candidates read are all earlier documents.
      const found = this.lsh!.collectAndInsert(doc, sketch.bandKeys, sketch.bandOffset, near.maxBucketFanout, this.candidates);
      for (let index = 0; index < found; index++) {
        const candidate = this.candidates[index]!;
        if (this.stamps[candidate] === query) continue;
        this.stamps[candidate] = query;
        const root = this.clusters.find(candidate);
        if (matchedRoots.includes(root)) continue;
        if (!sorted) {
          shingleCount = sortUnique(sketch.shingles, sketch.shingleStart, shingleCount);
          sorted = true;
        }
        arena.ensureSorted(candidate);
        const candidateCount = arena.countOf(candidate);
        if (jaccardUpperBound(shingleCount, candidateCount) < near.threshold) continue;
        this.verified++;
        const similarity = exactJaccard(
          sketch.shingles,
          sketch.shingleStart,
          shingleCount,
          arena.chunkOf(candidate),
          arena.offsetOf(candidate),
          candidateCount,
        );
        if (similarity >= near.threshold) {
          matchedRoots.push(root);
          if (similarity > bestSimilarity) bestSimilarity = similarity;
        }
      }
      arena.append(sketch.shingles, sketch.shingleStart, shingleCount, sorted);
      if (doc >= this.stamps.length) {
        const grown = new Int32Array(this.stamps.length * 2);
        grown.set(this.stamps);
        this.stamps = grown;
      }
    }

    const matched = matchedRoots.length > 0;
    // Only roots are ever named as duplicateOf, and a matched document is never a root again.
    this.ids.push(matched ? '' : id);
    this.exactTable?.insert(high, low, doc);
    let root = doc;
    for (const matchedRoot of matchedRoots) root = this.clusters.union(root, matchedRoot);

    if (asReference) {
      this.references++;
      return KEEP;
    }
    this.checked++;
    if (!matched) {
      this.kept++;
      return KEEP;
    }
    this.nearDrops++;
    return { keep: false, reason: 'near', duplicateOf: this.ids[root]!, similarity: bestSimilarity };
  }

  stats(): TextDedupStats {
    return {
      checked: this.checked,
      exact: this.exactDrops,
      near: this.nearDrops,
      kept: this.kept,
      references: this.references,
      indexBytes:
        (this.exactTable?.byteLength ?? 0) +
        (this.lsh?.byteLength ?? 0) +
        (this.arena?.byteLength ?? 0) +
        this.clusters.byteLength +
        (this.near === undefined ? 0 : this.stamps.byteLength),
      largestCluster: this.clusters.largest,
      verified: this.verified,
    };
  }
}

import type { DedupConfig, NearDedupConfig } from './dedup-spec.js';
import type { DedupStats, DedupVerdict } from './dedup-verdict.js';
import { IdColumn } from './id-column.js';
import { indexBudget } from './index-budget.js';
import { exactJaccard, jaccardUpperBound, sortUnique } from './jaccard.js';
import { ShingleArena } from './shingle-arena.js';
import { TieredExactTable } from './tiered-exact-table.js';
import { TieredLsh } from './tiered-lsh.js';
import { UnionFind } from './union-find.js';

/**
 * The order-dependent half of exact and near deduplication: given each document's sketch
 * (document-sketcher.ts), decide keep or drop, in arrival order. Single-threaded by design;
 * everything per document lives in typed arrays (ids aside).
 *
 * For each document, in order:
 *   1. exact (`enter`): its key is looked up in the exact table; a hit is an exact duplicate of the
 *      cluster root of the document that first had the key (counted into that cluster, never
 *      indexed); otherwise the document gets the next document number and its key is stored.
 *   2. near (`nearVerdict`): LSH candidates (≤ maxBucketFanout per band, lsh.ts; from this index's
 *      own table, or from band partitions in worker threads, band-partition.ts) are verified by
 *      exact Jaccard of the sorted shingle sets; a candidate already known to be in a matched
 *      cluster is skipped.
 *   3. its shingles are stored and it is united with every cluster it matched.
 * Query-then-insert means a document is only ever compared with earlier ones. Step 1 depends only
 * on the keys before it, so a caller may number a whole chunk (in order) before deciding the near
 * verdicts of earlier chunks; steps 2–3 run strictly in input order.
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
  /**
   * Whether the shingles are a worker batch's (document-sketcher.ts): in an array nobody else writes
   * again, so the index keeps the array instead of copying the run. Either way the run is as
   * shingled, and sorted (in place) the first time a verification needs it.
   */
  fromBatch: boolean;
}

/**
 * The candidates of a chunk of documents, found by band partitions elsewhere (band-partition.ts):
 * one part per partition, in band order; document i of the chunk has
 * part.candidates[part.starts[i], part.starts[i + 1]) in each part, newest first per band, exactly
 * the sequence one LshIndex over all bands would give.
 */
export interface ProbedCandidates {
  parts: readonly { starts: Uint32Array; candidates: Int32Array }[];
}

export interface TextDedupIndexOptions {
  /**
   * Memory for the whole index (`max_index_mb`): shared between the shingle sets, band tables,
   * exact keys and ids (index-budget.ts); each part past its share goes to temporary files.
   */
  maxIndexBytes?: number;
  spillDirectory?: string;
  /**
   * The LSH lives elsewhere (band partitions in worker threads): nearVerdict is then always given
   * the probed candidates, and this index keeps no band table.
   */
  externalLsh?: boolean;
  /** Documents expected: the band table is sized for them up front (tiered-lsh.ts). */
  expectedDocs?: number;
}

const KEEP: DedupVerdict = Object.freeze({ keep: true });

export class TextDedupIndex {
  private readonly ids: IdColumn;
  private readonly clusters = new UnionFind();
  private readonly exactTable: TieredExactTable | undefined;
  private readonly near: NearDedupConfig | undefined;
  private readonly lsh: TieredLsh | undefined;
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
  private bestSimilarity = 0;
  /** The current document's sorted shingle count (its run is sorted on the first verification). */
  private shingleCount = 0;
  private sorted = false;

  constructor(config: DedupConfig, options: TextDedupIndexOptions = {}) {
    const budget = indexBudget(options.maxIndexBytes, { near: true, semantic: config.semantic !== undefined });
    const directory = options.spillDirectory;
    this.ids = new IdColumn(budget.idBytes, directory);
    this.exactTable = config.exact ? new TieredExactTable(budget.exactBytes, directory) : undefined;
    this.near = config.near;
    const near = config.near;
    this.lsh =
      near === undefined || options.externalLsh === true
        ? undefined
        : new TieredLsh(near.bands, near.maxBucketFanout, {
            maxLiveBytes: budget.lshBytes,
            ...(directory === undefined ? {} : { spillDirectory: directory }),
            ...(options.expectedDocs === undefined ? {} : { expectedDocs: options.expectedDocs }),
          });
    this.arena =
      near === undefined
        ? undefined
        : new ShingleArena({ maxMemoryBytes: budget.shingleBytes, ...(directory === undefined ? {} : { spillDirectory: directory }) });
    this.candidates = new Int32Array(near === undefined ? 0 : near.bands * near.maxBucketFanout);
  }

  /**
   * Step 1 for the next document: its number (≥ 0) when its exact key is new (or exact dedup is
   * off), else −1 − the number of the earlier document with the key (an exact duplicate, which gets
   * no number and never enters the LSH). Depends only on the keys before it, so a caller may run it
   * ahead of the near decisions of earlier documents, as long as it runs in input order.
   */
  enter(high: number, low: number): number {
    const table = this.exactTable;
    if (table !== undefined) {
      const original = table.find(high, low);
      if (original >= 0) return -1 - original;
    }
    const doc = this.clusters.add();
    table?.insert(high, low, doc);
    if (doc >= this.stamps.length && this.near !== undefined) {
      const grown = new Int32Array(this.stamps.length * 2);
      grown.set(this.stamps);
      this.stamps = grown;
    }
    return doc;
  }

  /**
   * The verdict for an exact duplicate of document `original` (counted; for a reference it only
   * says "already known"). Run in input order, after the verdicts of every earlier document.
   */
  exactVerdict(original: number, asReference: boolean): DedupVerdict {
    const root = this.clusters.find(original);
    this.clusters.grow(root);
    if (asReference) {
      this.references++;
    } else {
      this.checked++;
      this.exactDrops++;
    }
    return { keep: false, reason: 'exact', duplicateOf: this.ids.get(root) };
  }

  /** enter + exactVerdict: the verdict for an exact duplicate, or undefined (then call admit). */
  matchExact(high: number, low: number, asReference: boolean): DedupVerdict | undefined {
    if (this.exactTable === undefined) return undefined;
    const original = this.exactTable.find(high, low);
    return original < 0 ? undefined : this.exactVerdict(original, asReference);
  }

  /** Steps 2–3 for a document that is not an exact duplicate, with this index's own LSH. */
  admit(id: string, high: number, low: number, sketch: SketchView | undefined, asReference: boolean): DedupVerdict {
    return this.nearVerdict(id, this.enter(high, low), sketch, asReference);
  }

  /**
   * Steps 2–3 for document `doc` (from enter): its candidates, from this index's LSH or from
   * `probed` (document `position` of the probed chunk), verified by exact Jaccard, then the shingles
   * stored and the clusters joined. Run in input order. `sketch` is required when near-dedup is on.
   */
  nearVerdict(id: string, doc: number, sketch: SketchView | undefined, asReference: boolean, probed?: ProbedCandidates, position = 0): DedupVerdict {
    const near = this.near;
    const matchedRoots = this.matchedRoots;
    matchedRoots.length = 0;
    this.bestSimilarity = 0;

    if (near !== undefined) {
      if (sketch === undefined) throw new Error('nearVerdict() needs a sketch when near-dedup is on');
      this.query++;
      this.shingleCount = sketch.shingleCount;
      this.sorted = false;
      if (probed === undefined) {
        // Query and insert in one probe per band; the candidates read are all earlier documents.
        const found = this.lsh!.collectAndInsert(doc, sketch.bandKeys, sketch.bandOffset, this.candidates);
        for (let index = 0; index < found; index++) this.consider(this.candidates[index]!, sketch, near.threshold);
      } else {
        for (const part of probed.parts) {
          const end = part.starts[position + 1]!;
          for (let index = part.starts[position]!; index < end; index++) this.consider(part.candidates[index]!, sketch, near.threshold);
        }
      }
      if (sketch.fromBatch) this.arena!.adopt(sketch.shingles, sketch.shingleStart, this.shingleCount, this.sorted);
      else this.arena!.append(sketch.shingles, sketch.shingleStart, this.shingleCount, this.sorted);
    }

    const matched = matchedRoots.length > 0;
    // Only roots are ever named as duplicateOf, and a matched document is never a root again.
    this.ids.push(matched ? '' : id);
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
    return { keep: false, reason: 'near', duplicateOf: this.ids.get(root), similarity: this.bestSimilarity };
  }

  /** Verifies one candidate unless it was seen for this document or its cluster already matched. */
  private consider(candidate: number, sketch: SketchView, threshold: number): void {
    if (this.stamps[candidate] === this.query) return;
    this.stamps[candidate] = this.query;
    const root = this.clusters.find(candidate);
    if (this.matchedRoots.includes(root)) return;
    if (!this.sorted) {
      this.shingleCount = sortUnique(sketch.shingles, sketch.shingleStart, this.shingleCount);
      this.sorted = true;
    }
    const arena = this.arena!;
    arena.ensureSorted(candidate);
    const candidateCount = arena.countOf(candidate);
    if (jaccardUpperBound(this.shingleCount, candidateCount) < threshold) return;
    this.verified++;
    const values = arena.view(candidate);
    const similarity = exactJaccard(sketch.shingles, sketch.shingleStart, this.shingleCount, values, arena.viewOffset, candidateCount);
    if (similarity >= threshold) {
      this.matchedRoots.push(root);
      if (similarity > this.bestSimilarity) this.bestSimilarity = similarity;
    }
  }

  /** Releases the spill files, if any. */
  close(): void {
    this.arena?.close();
    this.lsh?.close();
    this.exactTable?.close();
    this.ids.close();
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
        this.ids.byteLength +
        this.clusters.byteLength +
        (this.near === undefined ? 0 : this.stamps.byteLength),
      indexSpilledBytes: (this.arena?.spilledBytes ?? 0) + (this.lsh?.spilledBytes ?? 0) + (this.exactTable?.spilledBytes ?? 0) + this.ids.spilledBytes,
      largestCluster: this.clusters.largest,
      verified: this.verified,
    };
  }
}

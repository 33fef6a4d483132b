import type { SemanticDedupConfig } from './dedup-spec.js';
import type { DedupVerdict } from './dedup-verdict.js';
import { scanBestMatches } from './semantic-exact-search.js';
import { SimHashIndex } from './simhash-lsh.js';
import { strideOf, vectorLengthOf, writeUnitVector } from './unit-vector.js';
import { VectorStore, type VectorStoreOptions } from './vector-store.js';

/**
 * Semantic dedup: drop a record whose vector has cosine ≥ threshold with a record kept before it.
 *
 * Streaming query-then-insert, in input order: each vector is normalised (unit-vector.ts), compared
 * with the vectors kept so far, and dropped if the best cosine reaches the threshold (naming that
 * best match, the earliest on ties, as duplicateOf), else stored. Only kept vectors are stored, so
 * a record is compared with representatives, never with something already dropped: no chains
 * (a ~ b ~ c with a ≁ c keeps a and c). References (earlier versions) are decided the same way and
 * never emitted; one without a vector (a version made before the embed step) is skipped and counted.
 *
 * Search: exact scans (semantic-exact-search.ts) or random-hyperplane LSH with exact verification
 * (simhash-lsh.ts), chosen by `index` (dedup-spec.ts): exact, lsh, or auto, which scans until the
 * store holds `lshAbove` vectors and then hashes all of them into the LSH index. The switch happens
 * before the record that finds the store that full, whatever the batching (slices end where the
 * switch could become due), so `check` one record at a time and `dedupStream` in chunks give
 * identical verdicts.
 *
 * Memory: the kept vectors stay within `maxVectorBytes` (vector-store.ts spills the oldest to a
 * temporary file past it, with identical similarities); the ids, group sizes and LSH buckets of
 * kept vectors stay in memory.
 *
 * Similarities are the float32 kernel values (wasm/cosine-wasm.wat), identical for a pair whichever
 * path scored it. A pair counts when cos ≥ threshold − SIMILARITY_TOLERANCE: float32 rounding moves
 * a cosine by ≈ 1e-6, and without the tolerance two identical vectors (cos 0.99999994 after
 * rounding) would not match at threshold 1. Reported similarities are capped at 1.
 */

export const SIMILARITY_TOLERANCE = 1e-5;
/** Queries decided per exact batch: the store is scanned once per four of them (dots4). */
const BATCH = 256;

export interface SemanticIndexStats {
  checked: number;
  dropped: number;
  kept: number;
  references: number;
  skippedReferences: number;
  compared: number;
  indexBytes: number;
  /** Bytes of kept vectors moved to a temporary file past the vectors' share of max_index_mb. */
  spilledBytes: number;
  largestGroup: number;
  index: 'exact' | 'lsh';
}

const KEEP: DedupVerdict = Object.freeze({ keep: true });
const SKIPPED = -1;

export class SemanticIndex {
  private store: VectorStore | undefined;
  private lsh: SimHashIndex | undefined;
  private dimension: number | undefined;
  private stride = 0;
  private readonly ids: string[] = [];
  private groupSizes = new Int32Array(1024);
  private largestGroup = 0;
  /** Batch of unit queries, `stride` floats apart. */
  private queries = new Float32Array(0);
  private readonly bestIndex = new Int32Array(BATCH);
  private readonly bestSimilarity = new Float64Array(BATCH);
  private stamps = new Int32Array(0);
  private stamp = 0;
  // The query the LSH candidate visitor scores (fields, so the visitor is allocated once).
  private lshQuery = new Float32Array(0);
  private lshBest = 0;
  private lshBestIndex = -1;
  private checked = 0;
  private dropped = 0;
  private references = 0;
  private skippedReferences = 0;
  private compared = 0;

  constructor(
    readonly config: SemanticDedupConfig,
    private readonly options: VectorStoreOptions = {},
  ) {}

  /** Releases the vectors' spill file, if any; the index is unusable afterwards. */
  close(): void {
    this.store?.close();
  }

  get indexKind(): 'exact' | 'lsh' {
    return this.lsh === undefined ? 'exact' : 'lsh';
  }

  /** One record (or reference): `value` is its raw vector field, validated here. */
  decide(id: string, value: unknown, asReference: boolean): DedupVerdict {
    return this.decideBatch([id], [value], asReference)[0]!;
  }

  /** Records in input order; verdicts in the same order (a skipped reference gets KEEP). */
  decideBatch(ids: readonly string[], values: readonly unknown[], asReference: boolean): DedupVerdict[] {
    const verdicts: DedupVerdict[] = new Array(ids.length);
    for (let start = 0; start < ids.length; ) {
      let size = BATCH;
      // Each record adds at most one vector, so a slice this short cannot reach the auto switch
      // before its end: the switch is only ever due at a slice start.
      if (this.lsh === undefined && this.config.lshAbove !== undefined) size = Math.min(size, Math.max(1, this.config.lshAbove - (this.store?.count ?? 0)));
      const end = Math.min(ids.length, start + size);
      this.decideSlice(ids, values, start, end, asReference, verdicts);
      start = end;
    }
    return verdicts;
  }

  stats(): SemanticIndexStats {
    return {
      checked: this.checked,
      dropped: this.dropped,
      kept: this.checked - this.dropped,
      references: this.references,
      skippedReferences: this.skippedReferences,
      compared: this.compared,
      indexBytes: (this.store?.byteLength ?? 0) + (this.lsh?.byteLength ?? 0) + this.groupSizes.byteLength + this.stamps.byteLength + this.queries.byteLength,
      spilledBytes: this.store?.spilledBytes ?? 0,
      largestGroup: this.largestGroup,
      index: this.indexKind,
    };
  }

  private decideSlice(ids: readonly string[], values: readonly unknown[], start: number, end: number, asReference: boolean, verdicts: DedupVerdict[]): void {
    const count = end - start;
    const usable = this.loadQueries(ids, values, start, end, asReference);
    this.switchToLshIfDue();
    const store = this.store;
    const frozen = store?.count ?? 0;
    this.bestIndex.fill(-1, 0, count);
    this.bestSimilarity.fill(Number.NEGATIVE_INFINITY, 0, count);
    if (this.lsh === undefined && store !== undefined) {
      this.compared += scanBestMatches(store, this.queries, count, 0, frozen, this.bestIndex, this.bestSimilarity);
    }
    for (let slot = 0; slot < count; slot++) {
      const id = ids[start + slot]!;
      if (usable[slot] === SKIPPED) {
        this.skippedReferences++;
        verdicts[start + slot] = KEEP;
        continue;
      }
      const query = this.queries.subarray(slot * this.stride, (slot + 1) * this.stride);
      let best: number;
      let bestIndex: number;
      if (this.lsh !== undefined) {
        this.lshQuery = query;
        this.queryLsh(this.lsh);
        best = this.lshBest;
        bestIndex = this.lshBestIndex;
      } else {
        // Exact: the slice scan covered [0, frozen); the vectors this slice added come now. (A
        // usable slot means a vector was loaded, so the store exists.)
        this.compared += scanBestMatches(store!, query, 1, frozen, store!.count, this.bestIndex.subarray(slot), this.bestSimilarity.subarray(slot));
        best = this.bestSimilarity[slot]!;
        bestIndex = this.bestIndex[slot]!;
      }
      verdicts[start + slot] = this.conclude(id, query, best, bestIndex, asReference);
    }
  }

  /** Validates and normalises values [start, end) into the query batch; marks references without a vector. */
  private loadQueries(ids: readonly string[], values: readonly unknown[], start: number, end: number, asReference: boolean): Int8Array {
    const usable = new Int8Array(end - start);
    for (let index = start; index < end; index++) {
      const value = values[index];
      if (asReference && value === undefined) {
        usable[index - start] = SKIPPED;
        continue;
      }
      const source = { recordId: ids[index], field: this.config.field };
      // The first vector fixes the dimension, once it has passed every check.
      const dimension = this.dimension ?? vectorLengthOf(value, source);
      const stride = strideOf(dimension);
      if (this.queries.length < BATCH * stride) this.queries = new Float32Array(BATCH * stride);
      writeUnitVector(value, dimension, this.queries.subarray((index - start) * stride, (index - start + 1) * stride), source);
      if (this.dimension === undefined) {
        this.dimension = dimension;
        this.stride = stride;
        this.store = new VectorStore(stride, { maxMemoryBytes: this.config.maxVectorBytes, ...this.options });
      }
    }
    return usable;
  }

  private switchToLshIfDue(): void {
    const { lsh, lshAbove } = this.config;
    const store = this.store;
    if (this.lsh !== undefined || lsh === undefined || lshAbove === undefined || store === undefined || store.count < lshAbove) return;
    const index = new SimHashIndex(lsh, this.dimension!, this.stride, this.config.seed, this.options);
    // Tiles, so spilled vectors come back in large sequential reads.
    store.forEachTile(0, store.count, (block, offset, count, firstIndex) => {
      for (let vector = 0; vector < count; vector++) {
        index.computeKeys(block.vectorAt(offset + vector));
        index.insert(firstIndex + vector);
      }
    });
    this.lsh = index;
  }

  private queryLsh(lsh: SimHashIndex): void {
    lsh.computeKeys(this.lshQuery);
    const size = this.store!.count;
    if (this.stamps.length < size) {
      const grown = new Int32Array(Math.max(size, this.stamps.length * 2, 1024));
      grown.set(this.stamps);
      this.stamps = grown;
    }
    this.stamp++;
    this.lshBest = Number.NEGATIVE_INFINITY;
    this.lshBestIndex = -1;
    lsh.forEachCandidate(this.visitCandidate);
  }

  private readonly visitCandidate = (candidate: number): void => {
    if (this.stamps[candidate] === this.stamp) return;
    this.stamps[candidate] = this.stamp;
    this.compared++;
    const similarity = this.store!.similarity(this.lshQuery, candidate);
    // Candidates arrive in bucket order; the earliest vector wins ties, as in an exact scan.
    if (similarity > this.lshBest || (similarity === this.lshBest && candidate < this.lshBestIndex)) {
      this.lshBest = similarity;
      this.lshBestIndex = candidate;
    }
  };

  private conclude(id: string, query: Float32Array, best: number, bestIndex: number, asReference: boolean): DedupVerdict {
    if (asReference) this.references++;
    else this.checked++;
    if (bestIndex >= 0 && best >= this.config.threshold - SIMILARITY_TOLERANCE) {
      const size = ++this.groupSizes[bestIndex]!;
      if (size > this.largestGroup) this.largestGroup = size;
      if (!asReference) this.dropped++;
      return { keep: false, reason: 'semantic', duplicateOf: this.ids[bestIndex]!, similarity: Math.min(1, best) };
    }
    const index = this.store!.append(query);
    // The LSH keys are still those of this query (computed in queryLsh).
    this.lsh?.insert(index);
    this.ids.push(id);
    if (index >= this.groupSizes.length) {
      const grown = new Int32Array(this.groupSizes.length * 2);
      grown.set(this.groupSizes);
      this.groupSizes = grown;
    }
    this.groupSizes[index] = 1;
    if (this.largestGroup === 0) this.largestGroup = 1;
    return KEEP;
  }
}

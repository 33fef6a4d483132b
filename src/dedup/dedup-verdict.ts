/** What a deduplication decides per record, and what it counts: shared by every stage (text and semantic). */

/**
 * `similarity`: the exact Jaccard for 'near', the cosine for 'semantic', absent for 'exact'.
 * `duplicateOf`: the kept record (or reference) it duplicates.
 */
export type DedupVerdict =
  | { keep: true }
  | { keep: false; reason: DedupReason; duplicateOf: string; similarity?: number };

export type DedupReason = 'exact' | 'near' | 'semantic';

/** The statistics of one deduplication: the text stage's figures merged with the semantic stage's. */
export interface DedupStats {
  /** Documents passed to check (references not included). */
  checked: number;
  /** Dropped as exact duplicates. */
  exact: number;
  /** Dropped as near-duplicates. */
  near: number;
  /** Dropped as semantic duplicates (cosine ≥ threshold). */
  semantic: number;
  kept: number;
  /** Reference documents added. */
  references: number;
  /** Bytes held in the indexes' typed arrays and WASM memories (exact table, LSH, shingles, clusters, vectors). */
  indexBytes: number;
  /** Bytes of the index moved to temporary files past `max_index_mb` (shingle sets, band and exact runs, ids, kept vectors). */
  indexSpilledBytes: number;
  /** Members of the largest cluster, exact duplicates and references included (for semantic: a kept vector and the records dropped against it). */
  largestCluster: number;
  /** Candidate pairs verified by exact Jaccard (LSH work; a surge means a template-heavy bucket). */
  verified: number;
  /** Vector pairs whose cosine was computed (exact scans plus LSH candidates). */
  semanticCompared: number;
  /** The semantic index in use at the end: 'exact' scans, 'lsh' (index: lsh, or auto past its switch), 'none' without semantic dedup. */
  semanticIndex: 'none' | 'exact' | 'lsh';
  /** References without a vector (an earlier version made before the embed step): not indexed for semantic dedup. */
  semanticSkippedReferences: number;
}

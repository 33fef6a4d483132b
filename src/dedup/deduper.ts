import { resolveDedupConfig, type DedupConfig, type DeduperOptions } from './dedup-config.js';
import type { DedupStats, DedupVerdict } from './dedup-index.js';
import { DedupPipeline } from './dedup-pipeline.js';
import type { DedupSpec } from './dedup-spec.js';
import { dedupTextOf, semanticValueOf } from './dedup-text.js';

/**
 * The deduplicator the engine calls: exact, near-duplicate and semantic removal for one dedup step.
 *
 *   const deduper = await createDeduper(spec);
 *   for (const old of previousVersion) deduper.addReferenceRecord(old.id, old.fields);
 *   for (const record of records)       // sorted by stable id: the first of a cluster is kept
 *     deduper.checkRecord(record.id, record.fields);   // → DedupVerdict
 *
 * or, with the text and vector already extracted, `check(id, dedupTextOf(fields, spec), vector)`.
 *
 * Per document, in order (dedup-pipeline.ts), each stage on what the previous one kept:
 *   exact: normalise (normalize.ts) → exact key (exact.ts);
 *   near: shingles (shingle.ts) → MinHash signature (minhash.ts, or the WASM kernel) → band keys
 *     (lsh.ts) → candidates verified by exact Jaccard (jaccard.ts) → clusters (union-find.ts); see
 *     dedup-index.ts for the decision rules;
 *   semantic: unit vector (unit-vector.ts) → exact cosine scan or SimHash LSH → kept or dropped
 *     (semantic-index.ts).
 * For streams and worker threads, use dedupStream.
 */

export type { DedupReason, DedupStats, DedupVerdict } from './dedup-index.js';
export type { DedupConfig, DeduperOptions, SemanticDedupConfig } from './dedup-config.js';
export { SEMANTIC_AUTO_LSH_ABOVE } from './dedup-config.js';
export { dedupTextOf } from './dedup-text.js';
export { dedupStream, type DedupStreamOptions } from './dedup-stream.js';

export interface Deduper {
  /**
   * Indexes a document of an earlier version: never emitted, but later copies are dropped. `vector`
   * is its semantic field's value; a reference without one is not indexed for semantic dedup.
   */
  addReference(id: string, text: string, vector?: ArrayLike<number>): void;
  /**
   * Query-then-insert: the verdict for this document against everything before it. `text` is
   * ignored by a semantic-only spec; `vector` is required when the spec has `semantic`.
   */
  check(id: string, text: string, vector?: ArrayLike<number>): DedupVerdict;
  /** addReference with the text and vector read from the record's fields as the spec says. */
  addReferenceRecord(id: string, fields: Record<string, unknown>): void;
  /** check with the text and vector read from the record's fields as the spec says. */
  checkRecord(id: string, fields: Record<string, unknown>): DedupVerdict;
  stats(): DedupStats;
  /** The resolved parameters (bands and rows, LSH bits and tables chosen), for manifests and logs. */
  readonly config: DedupConfig;
  /** The MinHash kernel in use ('none' without near dedup). */
  readonly kernel: 'js' | 'wasm' | 'none';
}

export async function createDeduper(spec: DedupSpec, options: DeduperOptions = {}): Promise<Deduper> {
  const config = resolveDedupConfig(spec, options);
  const pipeline = await DedupPipeline.create(config, { wasm: options.wasm ?? true });
  const textOf = (id: string, fields: Record<string, unknown>): string => (pipeline.text === undefined ? '' : dedupTextOf(fields, spec, id));
  return {
    addReference(id, text, vector) {
      pipeline.decide(id, text, vector, true);
    },
    check(id, text, vector) {
      return pipeline.decide(id, text, vector, false);
    },
    addReferenceRecord(id, fields) {
      pipeline.decide(id, textOf(id, fields), semanticValueOf(fields, config.semantic?.field), true);
    },
    checkRecord(id, fields) {
      return pipeline.decide(id, textOf(id, fields), semanticValueOf(fields, config.semantic?.field), false);
    },
    stats: () => pipeline.stats(),
    config,
    kernel: pipeline.kernel,
  };
}


import { resolveDedupConfig, type DedupConfig, type DeduperOptions } from './dedup-config.js';
import { DedupDecider } from './dedup-decider.js';
import type { DedupStats, DedupVerdict } from './dedup-index.js';
import type { DedupSpec } from './dedup-spec.js';

/**
 * The deduplicator the engine calls: exact and near-duplicate removal for one dedup step.
 *
 *   const deduper = await createDeduper(spec);
 *   for (const old of previousVersion) deduper.addReference(old.id, dedupTextOf(old.fields, spec));
 *   for (const record of records)       // sorted by stable id: the first of a cluster is kept
 *     deduper.check(record.id, dedupTextOf(record.fields, spec));   // → DedupVerdict
 *
 * Per document: normalise (normalize.ts) → exact key (exact.ts); an exact duplicate stops there.
 * Otherwise: shingles (shingle.ts) → MinHash signature (minhash.ts, or the WASM kernel) → band keys
 * (lsh.ts) → candidates verified by exact Jaccard (jaccard.ts) → clusters (union-find.ts); see
 * dedup-index.ts for the decision rules. For streams and worker threads, use dedupStream.
 */

export type { DedupStats, DedupVerdict } from './dedup-index.js';
export type { DedupConfig, DeduperOptions } from './dedup-config.js';
export { dedupTextOf } from './dedup-text.js';
export { dedupStream, type DedupStreamOptions } from './dedup-stream.js';

export interface Deduper {
  /** Indexes a document of an earlier version: never emitted, but later near/exact copies are dropped. */
  addReference(id: string, text: string): void;
  /** Query-then-insert: the verdict for this document against everything before it. */
  check(id: string, text: string): DedupVerdict;
  stats(): DedupStats;
  /** The resolved parameters (bands and rows chosen), for manifests and logs. */
  readonly config: DedupConfig;
  /** The MinHash kernel in use ('none' for exact-only dedup). */
  readonly kernel: 'js' | 'wasm' | 'none';
}

export async function createDeduper(spec: DedupSpec, options: DeduperOptions = {}): Promise<Deduper> {
  const config = resolveDedupConfig(spec, options);
  const decider = await DedupDecider.create(config, { wasm: options.wasm ?? true });
  return {
    addReference(id, text) {
      decider.decideText(id, text, true);
    },
    check(id, text) {
      return decider.decideText(id, text, false);
    },
    stats: () => decider.stats(),
    config,
    kernel: decider.kernel,
  };
}

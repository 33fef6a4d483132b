import type { DedupSpec } from './dedup-spec.js';
import { chooseLshParams, type LshParams } from './lsh-params.js';
import { DEFAULT_SEED } from './minhash.js';

/**
 * A dedup spec resolved into the plain numbers the sketcher, the index and the workers use (plain
 * JSON, so it can be posted to a worker). Keeping the resolution in one place is what guarantees
 * that worker signatures and main-thread signatures come from the same parameters.
 */

/** Default cap on bucket members visited per band per query (dedup.md §4.1 step 5: "e.g. 8"). */
export const DEFAULT_MAX_BUCKET_FANOUT = 8;

export interface NearDedupConfig {
  threshold: number;
  numPerm: number;
  seed: number;
  ngram: number;
  charNgrams: boolean;
  bands: number;
  rows: number;
  lshSource: LshParams['source'];
  maxBucketFanout: number;
}

export interface DedupConfig {
  foldDigits: boolean;
  exact: boolean;
  near?: NearDedupConfig;
}

/** Knobs that are not part of the recipe: tests and benchmarks use them. */
export interface DeduperOptions {
  /** MinHash seed (default 1). Signatures made with different seeds are not comparable. */
  seed?: number;
  /** Bucket members visited per band per query (default 8). */
  maxBucketFanout?: number;
  /** Use the WASM SIMD kernel when the runtime supports it (default true); false forces JavaScript. */
  wasm?: boolean;
}

export function resolveDedupConfig(spec: DedupSpec, options: DeduperOptions = {}): DedupConfig {
  const near = spec.near;
  if (near === undefined) return { foldDigits: false, exact: spec.exact };
  const lsh = chooseLshParams({
    threshold: near.threshold,
    numPerm: near.num_perm,
    highRecall: near.high_recall,
    ...(near.bands === undefined ? {} : { bands: near.bands }),
    ...(near.rows === undefined ? {} : { rows: near.rows }),
  });
  return {
    foldDigits: near.fold_digits,
    exact: spec.exact,
    near: {
      threshold: near.threshold,
      numPerm: near.num_perm,
      seed: options.seed ?? DEFAULT_SEED,
      ngram: near.ngram,
      charNgrams: near.char_ngrams,
      bands: lsh.bands,
      rows: lsh.rows,
      lshSource: lsh.source,
      maxBucketFanout: options.maxBucketFanout ?? DEFAULT_MAX_BUCKET_FANOUT,
    },
  };
}

/** The part of a config that determines sketches: two configs with equal identities sketch alike. */
export function sketchIdentity(config: DedupConfig): string {
  const near = config.near;
  return JSON.stringify({
    foldDigits: config.foldDigits,
    exact: config.exact,
    near: near === undefined ? null : [near.numPerm, near.seed, near.ngram, near.charNgrams, near.bands, near.rows],
  });
}

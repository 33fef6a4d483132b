import type { DedupSpec, SemanticDedupSpec } from './dedup-spec.js';
import { LshParamsError } from './errors.js';
import { chooseLshParams, type LshParams } from './lsh-params.js';
import { DEFAULT_SEED } from './minhash.js';
import { chooseSimHashParams, simhashPaysOff, type SimHashParams } from './simhash-params.js';

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

/**
 * `index: auto` scans exactly until the index holds this many vectors, then builds the LSH index
 * over them and uses it from the next record on. Up to here the exact scans of a stream cost about
 * (10,000)²/2 / keep-rate cosines (6·10⁷ at 80% kept, ≈ 3 s at 256 dimensions on the benchmark
 * machine); past it an exact query (≥ 10,000 cosines) costs ≈ 50 LSH queries (≈ 200 dot products
 * each), and the gap grows with every kept vector (bench/README.md, semantic.bench.ts).
 */
export const SEMANTIC_AUTO_LSH_ABOVE = 10_000;
/** Seed of the LSH hyperplanes (simhash-lsh.ts). */
export const DEFAULT_SEMANTIC_SEED = 1;

export interface SemanticDedupConfig {
  field: string;
  threshold: number;
  index: SemanticDedupSpec['index'];
  /** The LSH shape; absent when LSH is never used (index: exact, or auto at a threshold where it does not pay off). */
  lsh?: SimHashParams;
  /** Indexed vectors from which LSH is used (0 for index: lsh); absent when LSH is never used. */
  lshAbove?: number;
  seed: number;
}

export interface DedupConfig {
  foldDigits: boolean;
  exact: boolean;
  near?: NearDedupConfig;
  semantic?: SemanticDedupConfig;
}

/** Knobs that are not part of the recipe: tests and benchmarks use them. */
export interface DeduperOptions {
  /** MinHash seed (default 1). Signatures made with different seeds are not comparable. */
  seed?: number;
  /** Bucket members visited per band per query (default 8). */
  maxBucketFanout?: number;
  /** Use the WASM SIMD kernels when the runtime supports them (default true); false forces JavaScript. */
  wasm?: boolean;
  /** Seed of the semantic LSH hyperplanes (default 1). */
  semanticSeed?: number;
  /** `index: auto` switches to LSH at this many indexed vectors (default SEMANTIC_AUTO_LSH_ABOVE). */
  semanticLshAbove?: number;
}

export function resolveDedupConfig(spec: DedupSpec, options: DeduperOptions = {}): DedupConfig {
  const textual = resolveTextConfig(spec, options);
  return spec.semantic === undefined ? textual : { ...textual, semantic: resolveSemanticConfig(spec.semantic, options) };
}

function resolveTextConfig(spec: DedupSpec, options: DeduperOptions): DedupConfig {
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

function resolveSemanticConfig(semantic: SemanticDedupSpec, options: DeduperOptions): SemanticDedupConfig {
  const base: SemanticDedupConfig = {
    field: semantic.field,
    threshold: semantic.threshold,
    index: semantic.index,
    seed: options.semanticSeed ?? DEFAULT_SEMANTIC_SEED,
  };
  if (semantic.index === 'exact') return base;
  const lsh = chooseSimHashParams({
    threshold: semantic.threshold,
    ...(semantic.bits === undefined ? {} : { bits: semantic.bits }),
    ...(semantic.tables === undefined ? {} : { tables: semantic.tables }),
  });
  if (semantic.index === 'lsh') {
    if (lsh === undefined) {
      throw new LshParamsError(`semantic LSH at cosine ${semantic.threshold} needs more tables than the default rule allows: set bits and tables, or use index: exact`, {
        threshold: semantic.threshold,
      });
    }
    return { ...base, lsh, lshAbove: 0 };
  }
  if (lsh === undefined || (lsh.source === 'chosen' && !simhashPaysOff(lsh))) return base;
  return { ...base, lsh, lshAbove: options.semanticLshAbove ?? SEMANTIC_AUTO_LSH_ABOVE };
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

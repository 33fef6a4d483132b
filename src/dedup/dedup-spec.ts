import { z } from 'zod';
import { LshParamsError } from './errors.js';
import { chooseLshParams, type LshParams } from './lsh-params.js';
import { indexBudget } from './index-budget.js';
import { DEFAULT_SEED } from './minhash.js';
import { chooseSimHashParams, MAX_SIMHASH_BITS, MAX_SIMHASH_TABLES, simhashPaysOff, type SimHashParams } from './simhash-params.js';

/**
 * The recipe's dedup step: what an author writes (dedupSpecSchema, which the recipe loader
 * validates with; parseDedupSpec), and further down the plain numbers a spec resolves to
 * (resolveDedupConfig), which deduper.ts and the sketch workers run on. A step, all keys shown:
 *
 *   - dedup: { fields: [question], exact: true, against: previous,
 *              near: { threshold: 0.8, num_perm: 128, ngram: 5, bands: 16, rows: 8,
 *                      fold_digits: false, char_ngrams: false, high_recall: false },
 *              semantic: { field: question_vector, threshold: 0.95, index: auto, bits: 14, tables: 16 } }
 *
 * - fields: the record fields whose text is compared, joined in this order (deduper.ts
 *   dedupTextOf); a dotted path reaches into nested objects ("meta.title", "messages.0.content").
 *   Required by exact and near; a step with only `semantic` may leave it out (it parses to []).
 * - exact (default true when fields are given, else false): drop records whose normalised text
 *   equals an earlier one.
 * - near (optional; omitted = exact only): MinHash-LSH near-duplicates at Jaccard ≥ threshold over
 *   word n-grams (character n-grams with char_ngrams). bands × rows default from the threshold
 *   (lsh-params.ts: 16 × 8 at 0.8, 20 × 6 with high_recall or a threshold ≤ 0.7). fold_digits
 *   turns every run of digits into "0" before hashing, for both the exact and the near check.
 * - semantic (optional): cosine similarity ≥ threshold (default 0.95) between the record's vector
 *   in `field` (an embed step's output, or any list of numbers) and an earlier kept record's.
 *   index: 'exact' compares with every kept vector (semantic-exact-search.ts); 'lsh' uses
 *   random-hyperplane LSH (simhash-lsh.ts) whose bits per table and table count default from the
 *   threshold (simhash-params.ts); 'auto' (default) is exact until the index holds
 *   SEMANTIC_AUTO_LSH_ABOVE vectors, then LSH. bits/tables override the LSH shape.
 * - Order: exact → near → semantic, each on the records the previous one kept; a record dropped
 *   by an earlier method is never compared by a later one.
 * - max_index_mb (default DEFAULT_MAX_INDEX_MB): memory for the whole exact + near + semantic index
 *   (shingle sets, band tables, exact keys, ids, kept vectors; shares in index-budget.ts); past its
 *   share each part goes to temporary files, with ≈ 50 B per document left in memory (filters,
 *   clusters, columns; for semantic dedup the ids and LSH buckets of kept vectors).
 * - against: 'previous' also drops records that duplicate a record of the earlier versions of the
 *   dataset (the engine feeds those as references), by every method of the step.
 * Objects are strict, so a misspelt key is an error, not a silent default.
 */

const fieldPathSchema = z
  .string()
  .regex(/^[^.\s]+(\.[^.\s]+)*$/, 'a field name, or a dotted path such as "meta.title" (no empty segments or spaces)');

export const nearDedupSpecSchema = z
  .strictObject({
    threshold: z.number().gt(0, 'threshold must be > 0').max(1, 'threshold is a Jaccard similarity ≤ 1 (0.8, not 80)').default(0.8),
    num_perm: z.int().min(8).max(1024).default(128),
    ngram: z.int().min(1).max(64).default(5),
    bands: z.int().min(1).optional(),
    rows: z.int().min(1).optional(),
    fold_digits: z.boolean().default(false),
    char_ngrams: z.boolean().default(false),
    high_recall: z.boolean().default(false),
  })
  .superRefine((near, context) => {
    const bands = near.bands ?? (near.rows === undefined ? undefined : Math.floor(near.num_perm / near.rows));
    const rows = near.rows ?? (near.bands === undefined ? undefined : Math.floor(near.num_perm / near.bands));
    if (bands === undefined || rows === undefined) return;
    if (bands < 1 || rows < 1 || bands * rows > near.num_perm) {
      context.addIssue({
        code: 'custom',
        path: near.bands === undefined ? ['rows'] : ['bands'],
        message:
          `bands × rows = ${bands} × ${rows} = ${bands * rows} exceeds num_perm ${near.num_perm}: ` +
          'lower bands or rows, or raise num_perm',
      });
    }
  });

export const semanticDedupSpecSchema = z
  .strictObject({
    field: fieldPathSchema,
    threshold: z
      .number()
      .gt(0, 'threshold must be > 0')
      .max(1, 'threshold is a cosine similarity ≤ 1 (0.95, not 95)')
      .default(0.95),
    index: z.enum(['auto', 'exact', 'lsh']).default('auto'),
    bits: z.int().min(1).max(MAX_SIMHASH_BITS).optional(),
    tables: z.int().min(1).max(MAX_SIMHASH_TABLES).optional(),
  })
  .superRefine((semantic, context) => {
    if (semantic.index !== 'exact') return;
    for (const key of ['bits', 'tables'] as const) {
      if (semantic[key] === undefined) continue;
      context.addIssue({ code: 'custom', path: [key], message: `${key} shapes the LSH index, which index: exact does not use; remove it or set index: lsh` });
    }
  });

const dedupSpecObject = z.strictObject({
  fields: z.array(fieldPathSchema).min(1, 'list at least one field to compare').optional(),
  exact: z.boolean().optional(),
  near: nearDedupSpecSchema.optional(),
  semantic: semanticDedupSpecSchema.optional(),
  against: z.literal('previous').optional(),
  max_index_mb: z.int().min(16, 'max_index_mb is in MiB: at least 16').optional(),
});

export const dedupSpecSchema = dedupSpecObject
  .superRefine((spec, context) => {
    const textual = spec.exact === true || spec.near !== undefined;
    if (spec.fields === undefined) {
      if (textual) {
        context.addIssue({ code: 'custom', path: ['fields'], message: 'exact and near dedup compare text: list the fields to compare' });
      } else if (spec.semantic === undefined) {
        context.addIssue({ code: 'custom', path: ['fields'], message: 'list at least one field to compare, or add semantic: { field: … }' });
      }
      return;
    }
    if (textual || spec.exact === undefined) return;
    context.addIssue(
      spec.semantic === undefined
        ? { code: 'custom', path: ['exact'], message: 'this dedup step does nothing: set exact: true, or add near: { threshold: … } or semantic: { field: … }' }
        : { code: 'custom', path: ['fields'], message: 'fields are compared only by exact and near dedup: remove them, or set exact: true' },
    );
  })
  .transform((spec) => {
    const resolved: {
      fields: string[];
      exact: boolean;
      near?: NearDedupSpec;
      semantic?: SemanticDedupSpec;
      against?: 'previous';
      max_index_mb?: number;
    } = { fields: spec.fields ?? [], exact: spec.exact ?? spec.fields !== undefined };
    if (spec.max_index_mb !== undefined) resolved.max_index_mb = spec.max_index_mb;
    if (spec.near !== undefined) resolved.near = spec.near;
    if (spec.semantic !== undefined) resolved.semantic = spec.semantic;
    if (spec.against !== undefined) resolved.against = spec.against;
    return resolved;
  });

export type DedupSpec = z.output<typeof dedupSpecSchema>;
export type NearDedupSpec = z.output<typeof nearDedupSpecSchema>;
export type SemanticDedupSpec = z.output<typeof semanticDedupSpecSchema>;
/** What a recipe author writes (defaults optional). */
export type DedupSpecInput = z.input<typeof dedupSpecSchema>;

/** Parses and defaults a dedup step; throws zod's error on bad input. */
export function parseDedupSpec(input: unknown): DedupSpec {
  return dedupSpecSchema.parse(input);
}

/**
 * A dedup spec resolved into the plain numbers the sketcher, the index and the workers use (plain
 * JSON, so it can be posted to a worker). Keeping the resolution in one place is what guarantees
 * that worker signatures and main-thread signatures come from the same parameters.
 */

/**
 * Default cap on bucket members visited per band per query: members of one bucket are usually one
 * cluster already, so a few of them find it as surely as all (lsh.ts), and a bucket a template has
 * filled costs at most this many candidates.
 */
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
 * each), and the gap grows with every kept vector (measured by bench/semantic.bench.ts; figures in
 * bench/README.md).
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
  /** Memory for the kept vectors before the oldest go to a temporary file (its share of max_index_mb, index-budget.ts). */
  maxVectorBytes: number;
}

/** Default `max_index_mb`: the index of ≈ 250K documents of 150 words stays wholly in memory. */
export const DEFAULT_MAX_INDEX_MB = 256;

export interface DedupConfig {
  foldDigits: boolean;
  exact: boolean;
  near?: NearDedupConfig;
  /** Memory for the near index's shingle sets before they spill to a file (bytes; with near only). */
  maxIndexBytes?: number;
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
  /** Overrides the spec's max_index_mb, in bytes, below its 16 MiB floor (tests spill small corpora). */
  maxIndexBytes?: number;
}

export function resolveDedupConfig(spec: DedupSpec, options: DeduperOptions = {}): DedupConfig {
  const textual = resolveTextConfig(spec, options);
  if (spec.semantic === undefined) return textual;
  const maxIndexBytes = options.maxIndexBytes ?? (spec.max_index_mb ?? DEFAULT_MAX_INDEX_MB) * 2 ** 20;
  const { vectorBytes } = indexBudget(maxIndexBytes, { near: spec.near !== undefined, semantic: true });
  return { ...textual, semantic: resolveSemanticConfig(spec.semantic, options, vectorBytes) };
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
    maxIndexBytes: options.maxIndexBytes ?? (spec.max_index_mb ?? DEFAULT_MAX_INDEX_MB) * 2 ** 20,
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

function resolveSemanticConfig(semantic: SemanticDedupSpec, options: DeduperOptions, maxVectorBytes: number): SemanticDedupConfig {
  const base: SemanticDedupConfig = {
    field: semantic.field,
    threshold: semantic.threshold,
    index: semantic.index,
    seed: options.semanticSeed ?? DEFAULT_SEMANTIC_SEED,
    maxVectorBytes,
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

// Semantic dedup benchmark (cosine over embedding vectors), on generated vectors in one process:
//   1. exact search: vectors compared per second by the dot-product kernels (WASM SIMD one query,
//      WASM four queries per pass, the JavaScript fallback) against a store of kept vectors;
//   2. for each size: semantic dedup through dedupStream with index: exact (the reference), lsh and
//      auto; records/s, cosines computed, the LSH index's recall and precision against the exact
//      verdicts, its speed-up, and the recall of the planted duplicates.
//   With --max-index-mb=N every dedup run gets that cap (fractions allowed; the vectors spill past
//   it), and --with-uncapped adds the same runs without a cap beside each, for the cost of spilling.
//   Each row gives CPU µs per record (all threads); the last summary line gives the process's peak
//   RSS (run one size and one index per process to compare it across sizes).
// Options: --sizes=20000,100000 (records per run), --dim=256, --threshold=0.95, --kernel-vectors=20000
//   (0 skips the kernels), --indexes=exact,lsh,auto, --max-index-mb=N, --with-uncapped,
//   --rss=exact|lsh|auto (one run of the first size on streamed vectors, nothing else: its line gives
//   the process's peak RSS with only the deduper holding memory).
import type { DedupStats, DedupVerdict } from '../src/dedup/deduper.js';
import { dedupStream } from '../src/dedup/dedup-stream.js';
import { parseDedupSpec } from '../src/dedup/dedup-spec.js';
import { createSplitMix32 } from '../src/dedup/mix32.js';
import { JsVectorBlock } from '../src/dedup/vector-block.js';
import { createVectorBlock } from '../src/dedup/vector-store.js';
import { type SummaryFigures, formatCount, formatMicros, printSummary, printTable, summaryWord } from './bench-table.js';

export interface PlantedVectors {
  /** Unit vectors (float32), in stream order. */
  vectors: Float32Array[];
  /** 'base': an independent random direction; 'copy': cos ≥ threshold + 0.005 with its source; 'decoy': cos in [0.80, threshold − 0.01]. */
  kinds: ('base' | 'copy' | 'decoy')[];
  /** The base a copy or decoy was made from (−1 for a base). */
  sources: number[];
  /** The planted cosine with the source (1 for a base). */
  cosines: number[];
}

/**
 * Random unit vectors (uniform on the sphere: normalised Gaussians) with "paraphrase-like" copies:
 * each copy is c·s + √(1 − c²)·e for an earlier base s and a random unit e orthogonal to s, so
 * cos(copy, s) = c exactly (before float32 rounding), with c uniform in [threshold + 0.005, 0.999].
 * Decoys are made the same way just below the threshold, so a deduper that matches too loosely
 * drops them. Independent random vectors in d dimensions have |cos| ≈ 1/√d, far from any threshold.
 */
export function generatePlantedVectors(options: {
  count: number;
  dimension: number;
  seed?: number;
  threshold?: number;
  copyFraction?: number;
  decoyFraction?: number;
}): PlantedVectors {
  const { count, dimension } = options;
  const threshold = options.threshold ?? 0.95;
  const copyFraction = options.copyFraction ?? 0.2;
  const decoyFraction = options.decoyFraction ?? 0.05;
  const next = createSplitMix32(options.seed ?? 11);
  const uniform = (): number => ((next() >>> 0) + 0.5) / 4294967296;
  const gaussian = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const randomUnit = (): Float64Array => {
    const vector = new Float64Array(dimension);
    let norm = 0;
    for (let index = 0; index < dimension; index++) norm += (vector[index] = gaussian()) ** 2;
    norm = Math.sqrt(norm);
    for (let index = 0; index < dimension; index++) vector[index]! /= norm;
    return vector;
  };
  const bases: Float64Array[] = [];
  const baseIndexes: number[] = [];
  const planted: PlantedVectors = { vectors: [], kinds: [], sources: [], cosines: [] };
  for (let index = 0; index < count; index++) {
    const roll = uniform();
    const kind = bases.length < 10 || roll >= copyFraction + decoyFraction ? 'base' : roll < copyFraction ? 'copy' : 'decoy';
    if (kind === 'base') {
      const vector = randomUnit();
      bases.push(vector);
      baseIndexes.push(index);
      planted.vectors.push(Float32Array.from(vector));
      planted.kinds.push('base');
      planted.sources.push(-1);
      planted.cosines.push(1);
      continue;
    }
    const pick = Math.floor(uniform() * bases.length);
    const source = bases[pick]!;
    const cosine = kind === 'copy' ? threshold + 0.005 + uniform() * (0.999 - threshold - 0.005) : 0.8 + uniform() * (threshold - 0.01 - 0.8);
    planted.vectors.push(atCosine(source, randomUnit(), cosine));
    planted.kinds.push(kind);
    planted.sources.push(baseIndexes[pick]!);
    planted.cosines.push(cosine);
  }
  return planted;
}

/**
 * The same kinds of vectors as generatePlantedVectors (bases, copies above the threshold, decoys
 * below), made one at a time without holding any: base k is regenerated from its own seed when a
 * copy needs it. For peak RSS, where the input must not be what grows (--rss).
 */
export function* streamPlantedVectors(options: { count: number; dimension: number; threshold: number; seed?: number }): Generator<Float32Array> {
  const { count, dimension, threshold } = options;
  const seed = options.seed ?? 11;
  const unit = (stream: () => number): Float64Array => {
    const uniform = (): number => ((stream() >>> 0) + 0.5) / 4294967296;
    const vector = new Float64Array(dimension);
    let norm = 0;
    for (let index = 0; index < dimension; index++) norm += (vector[index] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform())) ** 2;
    norm = Math.sqrt(norm);
    for (let index = 0; index < dimension; index++) vector[index]! /= norm;
    return vector;
  };
  const baseOf = (base: number): Float64Array => unit(createSplitMix32((seed * 1_000_003 + base) | 0));
  const next = createSplitMix32(seed);
  const uniform = (): number => ((next() >>> 0) + 0.5) / 4294967296;
  let bases = 0;
  for (let index = 0; index < count; index++) {
    const roll = uniform();
    if (bases < 10 || roll >= 0.25) {
      yield Float32Array.from(baseOf(bases++));
      continue;
    }
    const source = baseOf(Math.floor(uniform() * bases));
    const cosine = roll < 0.2 ? threshold + 0.005 + uniform() * (0.999 - threshold - 0.005) : 0.8 + uniform() * (threshold - 0.01 - 0.8);
    yield atCosine(source, unit(next), cosine);
  }
}

/** One streamed run for peak RSS: the process holds only the deduper and one chunk of records. */
async function rssRun(size: number, dimension: number, threshold: number, index: 'exact' | 'lsh' | 'auto', maxIndexBytes: number | undefined): Promise<SummaryFigures> {
  const spec = parseDedupSpec({ semantic: { field: 'vector', threshold, index } });
  async function* records(): AsyncIterable<{ id: string; fields: Record<string, unknown> }> {
    let position = 0;
    for (const vector of streamPlantedVectors({ count: size, dimension, threshold })) yield { id: `r${position++}`, fields: { vector } };
  }
  let stats: DedupStats | undefined;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const options = { onStats: (final: DedupStats) => (stats = final), ...(maxIndexBytes === undefined ? {} : { maxIndexBytes }) };
  for await (const _ of dedupStream(records(), spec, options));
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  return {
    case: `rss_${index}${maxIndexBytes === undefined ? '' : '_capped'}`,
    vectors: size,
    dim: dimension,
    records_per_s: size / seconds,
    cpu_us_per_record: ((used.user + used.system) / size),
    dropped: stats!.semantic,
    index_mib: stats!.indexBytes / 2 ** 20,
    spilled_mib: stats!.indexSpilledBytes / 2 ** 20,
    peak_rss_mib: (process.resourceUsage().maxRSS * 1024) / 2 ** 20,
  };
}

function option(args: readonly string[], name: string, fallback: string): string {
  const found = args.find((argument) => argument.startsWith(`--${name}=`));
  return found === undefined ? fallback : found.slice(name.length + 3);
}

/** Kernel throughput: a store of `count` random vectors scanned by `queries` queries. */
function kernelThroughput(count: number, dimension: number): { rows: (string | number)[][]; summaries: SummaryFigures[] } {
  const planted = generatePlantedVectors({ count: count + 64, dimension, copyFraction: 0, decoyFraction: 0, seed: 5 });
  const stride = Math.ceil(dimension / 4) * 4;
  const wasm = createVectorBlock(stride, count);
  const js = new JsVectorBlock(stride, count);
  const padded = new Float32Array(stride);
  for (let index = 0; index < count; index++) {
    padded.set(planted.vectors[index]!);
    wasm.append(padded);
    js.append(padded);
  }
  const queries = new Float32Array(64 * stride);
  for (let query = 0; query < 64; query++) queries.set(planted.vectors[count + query]!, query * stride);
  const rows: (string | number)[][] = [];
  const summaries: SummaryFigures[] = [];
  const measure = (name: string, block: typeof wasm, perPass: 1 | 4, queryCount: number): void => {
    let best = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 3; round++) {
      const started = performance.now();
      for (let query = 0; query < queryCount; query += perPass) {
        const slice = queries.subarray(query * stride, (query + perPass) * stride);
        for (let from = 0; from < count; from += 1024) {
          const tile = Math.min(1024, count - from);
          if (perPass === 4) block.dots4(slice, from, tile);
          else block.dots(slice, from, tile);
        }
      }
      best = Math.min(best, (performance.now() - started) / 1000);
    }
    const compared = count * queryCount;
    rows.push([name, formatCount(compared / best), ((compared * dimension) / best / 1e9).toFixed(2)]);
    summaries.push({ case: `kernel_${summaryWord(name)}`, vectors: count, dim: dimension, compared_per_s: compared / best, gmac_per_s: (compared * dimension) / best / 1e9 });
  };
  if (wasm.kind === 'wasm') {
    measure('WASM SIMD, one query per pass (dots)', wasm, 1, 64);
    measure('**WASM SIMD, four queries per pass (dots4)**', wasm, 4, 64);
  }
  measure('JavaScript (float32-exact fallback)', js, 1, 8);
  return { rows, summaries };
}

interface DedupRun {
  verdicts: DedupVerdict[];
  stats: DedupStats;
  seconds: number;
  cpuSeconds: number;
}

async function runDedup(planted: PlantedVectors, index: 'exact' | 'lsh' | 'auto', threshold: number, maxIndexBytes: number | undefined): Promise<DedupRun> {
  const spec = parseDedupSpec({ semantic: { field: 'vector', threshold, index } });
  async function* records(): AsyncIterable<{ id: string; fields: Record<string, unknown> }> {
    for (let position = 0; position < planted.vectors.length; position++) yield { id: `r${position}`, fields: { vector: planted.vectors[position] } };
  }
  let stats: DedupStats | undefined;
  const verdicts: DedupVerdict[] = [];
  const started = performance.now();
  const cpu = process.cpuUsage();
  const options = { onStats: (final: DedupStats) => (stats = final), ...(maxIndexBytes === undefined ? {} : { maxIndexBytes }) };
  for await (const { verdict } of dedupStream(records(), spec, options)) verdicts.push(verdict);
  const used = process.cpuUsage(cpu);
  return { verdicts, stats: stats!, seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

function agreement(candidate: DedupVerdict[], reference: DedupVerdict[]): { recall: number; precision: number } {
  let both = 0;
  let referenceDrops = 0;
  let candidateDrops = 0;
  for (let index = 0; index < reference.length; index++) {
    const inReference = !reference[index]!.keep;
    const inCandidate = !candidate[index]!.keep;
    if (inReference) referenceDrops++;
    if (inCandidate) candidateDrops++;
    if (inReference && inCandidate) both++;
  }
  return { recall: referenceDrops === 0 ? 1 : both / referenceDrops, precision: candidateDrops === 0 ? 1 : both / candidateDrops };
}

function plantedRecall(planted: PlantedVectors, verdicts: DedupVerdict[]): string {
  let copies = 0;
  let found = 0;
  let decoysDropped = 0;
  planted.kinds.forEach((kind, index) => {
    if (kind === 'copy') {
      copies++;
      if (!verdicts[index]!.keep) found++;
    } else if (kind === 'decoy' && !verdicts[index]!.keep) decoysDropped++;
  });
  return `${(found / copies).toFixed(4)} (${decoysDropped} decoys dropped)`;
}

export async function run(args: string[]): Promise<void> {
  const sizes = option(args, 'sizes', '20000,100000').split(',').map(Number);
  const dimension = Number(option(args, 'dim', '256'));
  const threshold = Number(option(args, 'threshold', '0.95'));
  const kernelVectors = Number(option(args, 'kernel-vectors', '20000'));
  const indexes = option(args, 'indexes', 'exact,lsh,auto').split(',') as ('exact' | 'lsh' | 'auto')[];
  const capMiB = option(args, 'max-index-mb', '');
  const maxIndexBytes = capMiB === '' ? undefined : Math.round(Number(capMiB) * 2 ** 20);
  const caps = maxIndexBytes !== undefined && args.includes('--with-uncapped') ? [undefined, maxIndexBytes] : [maxIndexBytes];

  const rssIndex = option(args, 'rss', '');
  if (rssIndex !== '') {
    // One size, one index, one process: the figure is this run's peak alone.
    const figures = await rssRun(sizes[0]!, dimension, threshold, rssIndex as 'exact' | 'lsh' | 'auto', maxIndexBytes);
    console.log(`\npeak RSS, ${formatCount(sizes[0]!)} streamed vectors × ${dimension}, index ${rssIndex}${capMiB === '' ? '' : `, max_index_mb ${capMiB}`}`);
    printSummary('semantic', figures);
    return;
  }
  const summaries: SummaryFigures[] = [];
  if (kernelVectors > 0) {
    console.log(`\nExact search kernels: ${formatCount(kernelVectors)} stored vectors × ${dimension} float32, best of 3 rounds`);
    const kernels = kernelThroughput(kernelVectors, dimension);
    printTable(['kernel', 'vectors compared/s', 'GMAC/s'], kernels.rows);
    summaries.push(...kernels.summaries);
  }

  for (const size of sizes) {
    const planted = generatePlantedVectors({ count: size, dimension, threshold });
    const counts = { copy: 0, decoy: 0 };
    for (const kind of planted.kinds) if (kind !== 'base') counts[kind]++;
    console.log(
      `\n${formatCount(size)} vectors × ${dimension} (${formatCount(counts.copy)} planted copies at cos ≥ ${threshold + 0.005}, ` +
        `${formatCount(counts.decoy)} decoys below ${threshold}), threshold ${threshold}, dedupStream, 1 thread` +
        (maxIndexBytes === undefined ? '' : `, max_index_mb ${capMiB}`),
    );
    const rows: [string, DedupRun, number | undefined][] = [];
    for (const index of indexes) {
      for (const cap of caps) rows.push([`${index === 'exact' ? 'exact (reference)' : index}${cap === undefined ? '' : ', capped'}`, await runDedup(planted, index, threshold, cap), cap]);
    }
    const reference = rows.find(([name]) => name.startsWith('exact'))?.[1];
    printTable(
      ['index', 'seconds', 'records/s', 'CPU µs/record', 'cosines computed', 'cosines/s', 'dropped', 'spilled MiB', 'recall vs exact', 'precision vs exact', 'speed-up', 'planted copies found'],
      rows.map(([name, result]) => {
        const { recall, precision } = reference === undefined ? { recall: Number.NaN, precision: Number.NaN } : agreement(result.verdicts, reference.verdicts);
        return [
          name,
          result.seconds.toFixed(2),
          formatCount(size / result.seconds),
          formatMicros(result.cpuSeconds, size),
          formatCount(result.stats.semanticCompared),
          formatCount(result.stats.semanticCompared / result.seconds),
          formatCount(result.stats.semantic),
          (result.stats.indexSpilledBytes / 2 ** 20).toFixed(1),
          reference === undefined ? '–' : recall.toFixed(4),
          reference === undefined ? '–' : precision.toFixed(4),
          reference === undefined ? '–' : `${(reference.seconds / result.seconds).toFixed(1)}×`,
          plantedRecall(planted, result.verdicts),
        ];
      }),
    );
    console.log(`index memory: ${rows.map(([name, result]) => `${name} ${(result.stats.indexBytes / 2 ** 20).toFixed(1)} MiB`).join(', ')}`);
    for (const [name, result, cap] of rows) {
      const { recall, precision } = reference === undefined ? { recall: Number.NaN, precision: Number.NaN } : agreement(result.verdicts, reference.verdicts);
      summaries.push({
        case: `dedup_${summaryWord(name.replace('(reference)', '').replace(', capped', ''))}${cap === undefined ? '' : '_capped'}`,
        vectors: size,
        dim: dimension,
        records_per_s: size / result.seconds,
        cpu_us_per_record: (result.cpuSeconds * 1e6) / size,
        cosines_per_s: result.stats.semanticCompared / result.seconds,
        cpu_ns_per_cosine: result.stats.semanticCompared === 0 ? 0 : (result.cpuSeconds * 1e9) / result.stats.semanticCompared,
        spilled_mib: result.stats.indexSpilledBytes / 2 ** 20,
        ...(reference === undefined ? {} : { recall_vs_exact: Number(recall.toFixed(4)), precision_vs_exact: Number(precision.toFixed(4)), speedup: reference.seconds / result.seconds }),
      });
    }
  }
  summaries.push({ case: 'process', peak_rss_mib: (process.resourceUsage().maxRSS * 1024) / 2 ** 20 });
  console.log('');
  for (const figures of summaries) printSummary('semantic', figures);
}

/**
 * A unit vector at exactly `cosine` to the unit vector `source`: the part of `noise` (a unit vector,
 * overwritten) orthogonal to `source`, mixed in by the matching sine.
 */
function atCosine(source: ArrayLike<number>, noise: Float64Array, cosine: number): Float32Array {
  const dimension = source.length;
  let along = 0;
  for (let component = 0; component < dimension; component++) along += noise[component]! * source[component]!;
  let norm = 0;
  for (let component = 0; component < dimension; component++) norm += (noise[component] = noise[component]! - along * source[component]!) ** 2;
  norm = Math.sqrt(norm);
  const sine = Math.sqrt(1 - cosine * cosine);
  const vector = new Float32Array(dimension);
  for (let component = 0; component < dimension; component++) vector[component] = cosine * source[component]! + (sine * noise[component]!) / norm;
  return vector;
}

import { indexBudget } from './index-budget.js';
import { resolveDedupConfig, sketchIdentity, type DedupConfig, type DeduperOptions, type DedupSpec } from './dedup-spec.js';
import { DedupPipeline, dedupTextOf, semanticValueOf, type DedupStats, type DedupVerdict } from './deduper.js';
import type { SketchBatch } from './document-sketcher.js';
import { DedupWorkerError } from './errors.js';
import { SketchPool, type BandSession } from './sketch-pool.js';
import type { ProbedCandidates } from './text-dedup-index.js';
import { readStageLineBatches, type StageLines } from './stage-line-batch.js';
import { StageRecordLocator } from './stage-record-locator.js';
import { inFlightWindow } from '../in-flight-window.js';

/**
 * Streaming deduplication with backpressure and optional worker threads.
 *
 * Records are read in chunks of `chunkSize`. With `workers > 1` (or a `pool`), the work is split
 * between the pool's threads (sketch-pool.ts) and this one:
 *
 *   worker (any):       chunk k's texts → normalised → exact keys, shingles, signatures, band keys
 *   this thread:        exact keys of chunk k, in input order → document numbers (enterBatch)
 *   workers (by band):  each partition probes and inserts chunk k's band keys for its bands
 *   this thread:        candidates of chunk k → exact-Jaccard verification, clusters, verdicts
 *
 * Up to `workers + 1` chunks are in flight, so reading, sketching, probing and deciding overlap.
 * Numbering depends only on the exact keys before a document, so it runs as soon as chunk k is
 * sketched and chunk k − 1 numbered, ahead of the near decisions; probes are posted in chunk order,
 * and each worker handles its messages in order, so every partition inserts in input order. The
 * decisions then run here strictly in input order, and every record is yielded with its verdict in
 * input order. The verdicts are identical for any number of workers: a partition answers exactly
 * the candidates one index over all bands would (band-partition.ts).
 *
 * Without workers everything runs on this thread: records document by document (DedupPipeline.decideText),
 * stage lines batch by batch as a worker would sketch them (decideLineBatches).
 *
 * dedupStageLines is the same stream over a stage file's raw lines: a worker also cuts and parses
 * the batch's lines and builds the compared texts (stage-line-batch.ts), the first row above, so
 * this thread never parses a record (parsing was about 40% of its work per record).
 *
 * Backpressure: nothing is read while the consumer is not pulling, beyond the chunks in flight, so
 * memory is bounded by (in-flight chunks × chunkSize) records plus the index.
 *
 * Exact before MinHash: on this thread a record's exact key is checked before it is shingled. In a
 * worker, a record whose key repeats an earlier key of the same chunk is not sketched either; one
 * whose original is in an earlier chunk is sketched in parallel and its sketch never reaches the
 * index.
 *
 * Semantic dedup (DedupPipeline in deduper.ts) runs on this thread after a chunk's exact and near verdicts,
 * on the records they kept, in batches that scan the stored vectors once per four queries; a
 * semantic-only spec skips the text stage (no text is built, no worker is started).
 *
 * References (earlier dataset versions) go through the same pipeline first and are never yielded.
 */

export interface DedupStreamOptions extends DeduperOptions {
  references?: AsyncIterable<{ id: string; fields: Record<string, unknown> }>;
  /** Worker threads for sketching and the band tables (default 1: none, everything on this thread). */
  workers?: number;
  /** Records per chunk (default 2048). */
  chunkSize?: number;
  /** Called once, after the last record, with the final statistics. */
  onStats?: (stats: DedupStats) => void;
  /**
   * An already started pool to use instead of starting `workers` threads (start-up costs tens of
   * milliseconds from dist/, about a second from TypeScript sources). Its config must equal this
   * spec's; the caller closes it.
   */
  pool?: SketchPool;
  /** Where the index's spill file goes past max_index_mb (default: the OS temp directory). */
  spillDirectory?: string;
  /**
   * How many records (references included) the stream will see, when known: the LSH band tables
   * are sized for them up front instead of grown by doubling. Only a size hint; verdicts never depend on it.
   */
  expectedRecords?: number;
}

const DEFAULT_CHUNK_SIZE = 2048;
const KEEP: DedupVerdict = Object.freeze({ keep: true });

type Keyed = { id: string; fields: Record<string, unknown> };

export async function* dedupStream<T extends Keyed>(
  records: AsyncIterable<T>,
  spec: DedupSpec,
  options: DedupStreamOptions = {},
): AsyncIterable<{ record: T; verdict: DedupVerdict }> {
  const stream = await openStream(spec, options);
  try {
    await addReferences(stream.context, options);
    for await (const chunk of decideChunks(records, false, stream.context)) {
      for (let index = 0; index < chunk.records.length; index++) {
        yield { record: chunk.records[index]!, verdict: chunk.verdicts[index]! };
      }
    }
    options.onStats?.(stream.context.pipeline.stats());
  } finally {
    await stream.close();
  }
}

/** A batch of stage lines with each line's verdict; undefined for a line that failed (see dedupStageLines). */
export interface StageLineVerdicts {
  bytes: Uint8Array<ArrayBuffer>;
  lines: StageLines;
  verdicts: (DedupVerdict | undefined)[];
}

/**
 * dedupStream over the raw lines of a stage file (`{ id, fields, … }` per line, read in batches) instead of
 * parsed records, for exact and near dedup (a spec with `semantic` needs the vectors on this thread:
 * use dedupStream). With workers, a worker cuts each batch of whole lines, parses the records and
 * sketches their compared texts (stage-line-batch.ts); this thread only numbers, takes the band
 * partitions' candidates, verifies and decides, in input order, as dedupStream does, so the verdicts
 * are the same. Without workers this thread reads and sketches each batch as a worker does, then decides.
 *
 * A line that is not JSON or lacks a compared field gets no verdict (undefined) and never reaches
 * the index: the caller handles it (rejects it, or fails on it) as it would a record read itself.
 * Each batch comes back with its bytes, so a caller writes a kept line as it was read.
 */
export async function* dedupStageLines(
  path: string,
  spec: DedupSpec,
  options: DedupStreamOptions & {
    /** Bytes read per batch of lines (default 1 MiB). */
    batchBytes?: number;
    /** Batches of whole lines to read instead of the file (each owning its ArrayBuffer: it is transferred). */
    lineBatches?: AsyncIterable<Uint8Array<ArrayBuffer>>;
  } = {},
): AsyncIterable<StageLineVerdicts> {
  if (spec.semantic !== undefined || (!spec.exact && spec.near === undefined)) {
    throw new DedupWorkerError('dedupStageLines runs exact and near dedup only; a semantic step goes through dedupStream');
  }
  const stream = await openStream(spec, options);
  try {
    await addReferences(stream.context, options);
    yield* decideLineBatches(options.lineBatches ?? readStageLineBatches(path, options.batchBytes), spec.fields, stream.context);
    options.onStats?.(stream.context.pipeline.stats());
  } finally {
    await stream.close();
  }
}

/** The pool (own or given), the pipeline and the band session of one stream, and how to close them. */
async function openStream(spec: DedupSpec, options: DedupStreamOptions): Promise<{ context: StreamContext; close(): Promise<void> }> {
  const config = resolveDedupConfig(spec, options);
  const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? DEFAULT_CHUNK_SIZE));
  const workers = Math.max(1, Math.floor(options.workers ?? 1));
  const wasm = options.wasm ?? true;
  const hasText = config.exact || config.near !== undefined;
  const ownPool = options.pool === undefined && workers > 1 && hasText;
  if (options.pool !== undefined) assertSameConfig(options.pool.config, config);
  const pool = ownPool ? await SketchPool.create(config, workers, { wasm }) : hasText ? options.pool : undefined;
  let pipeline: DedupPipeline | undefined;
  let bands: BandSession | undefined;
  const close = async (): Promise<void> => {
    await bands?.close();
    pipeline?.close();
    if (ownPool) await pool?.close();
  };
  try {
    pipeline = await DedupPipeline.create(config, {
      wasm,
      externalLsh: pool !== undefined,
      ...(options.spillDirectory === undefined ? {} : { spillDirectory: options.spillDirectory }),
      ...(options.expectedRecords === undefined ? {} : { expectedDocs: options.expectedRecords }),
    });
    if (pool !== undefined && config.near !== undefined) {
      bands = pool.openBands(config.near.bands, config.near.maxBucketFanout, {
        maxLshBytes: indexBudget(config.maxIndexBytes, { near: true, semantic: config.semantic !== undefined }).lshBytes,
        ...(options.spillDirectory === undefined ? {} : { spillDirectory: options.spillDirectory }),
        ...(options.expectedRecords === undefined ? {} : { expectedDocs: options.expectedRecords }),
      });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { context: { pool, bands, pipeline, spec, chunkSize }, close };
}

async function addReferences(context: StreamContext, options: DedupStreamOptions): Promise<void> {
  if (options.references === undefined) return;
  for await (const _ of decideChunks(options.references, true, context));
}

function assertSameConfig(poolConfig: DedupConfig, config: DedupConfig): void {
  if (sketchIdentity(poolConfig) !== sketchIdentity(config)) {
    throw new DedupWorkerError(
      `the sketch pool was started for other parameters (${sketchIdentity(poolConfig)}) than this stream's (${sketchIdentity(config)})`,
    );
  }
}

interface StreamContext {
  pool: SketchPool | undefined;
  bands: BandSession | undefined;
  pipeline: DedupPipeline;
  spec: DedupSpec;
  chunkSize: number;
}

/** A chunk sketched by a worker and numbered here, with its band partitions' answer on the way. */
interface Prepared {
  batch: SketchBatch;
  entered: Int32Array;
  probed: Promise<ProbedCandidates & { byteLength: number; spilledBytes: number }> | undefined;
}

/**
 * Numbers a sketched batch in the index (after every earlier batch: the caller chains the calls) and
 * asks the band partitions for its candidates, without waiting for their answer.
 */
function numberAndProbe(batch: SketchBatch, { pipeline, bands }: StreamContext): Prepared {
  const entered = new Int32Array(new SharedArrayBuffer(batch.count * 4));
  pipeline.enterBatch(batch, entered);
  const probed = bands?.probe(batch.bandKeys, entered, batch.count);
  // Awaited in order by the caller; this only keeps a failure from going unhandled if it stops early.
  probed?.catch(() => undefined);
  return { batch, entered, probed };
}

/** The band partitions' answer for a batch, its index sizes recorded for the stream's statistics. */
async function candidatesOf(probed: Prepared['probed'], pipeline: DedupPipeline): Promise<Awaited<Prepared['probed']>> {
  const candidates = probed === undefined ? undefined : await probed;
  if (candidates !== undefined) {
    pipeline.externalIndexBytes = candidates.byteLength;
    pipeline.externalSpilledBytes = candidates.spilledBytes;
  }
  return candidates;
}

interface Chunk<T> {
  records: T[];
  texts: string[];
  /** With a pool: the chunk sketched, numbered and probed; undefined when this thread does it all. */
  prepared: Promise<Prepared> | undefined;
}

/** Up to `workers + 1` items in flight with a pool, so reading, sketching, probing and deciding overlap. */
function windowSize({ pool }: StreamContext): number {
  return pool === undefined ? 1 : pool.size + 1;
}

/**
 * Chains each batch's numbering (`then`, which calls numberAndProbe) after its sketch is back and
 * after the previous batch's `then`: numbering depends on every earlier exact key, so it runs in
 * input order, each batch as soon as it can.
 */
function inInputOrder(): <Sketched, Numbered>(sketched: Promise<Sketched>, then: (value: Sketched) => Numbered) => Promise<Numbered> {
  let numbered: Promise<unknown> = Promise.resolve();
  return (sketched, then) => {
    const next = Promise.all([sketched, numbered]).then(([value]) => then(value));
    // Awaited in order by the window; this only keeps a failure of a later batch from going
    // unhandled when an earlier one fails first or the consumer stops early.
    next.catch(() => undefined);
    numbered = next;
    return next;
  };
}

function decideChunks<T extends Keyed>(
  source: AsyncIterable<T>,
  asReference: boolean,
  context: StreamContext,
): AsyncIterable<{ records: T[]; verdicts: DedupVerdict[] }> {
  const { pool, pipeline, spec, chunkSize } = context;
  const hasText = pipeline.hasText;
  const semanticField = pipeline.config.semantic?.field;
  const numbered = inInputOrder();
  const start = (records: T[]): Chunk<T> => {
    const texts = hasText ? records.map((record) => dedupTextOf(record.fields, spec, record.id)) : [];
    const prepared = pool === undefined ? undefined : numbered(pool.sketch(texts), (batch) => numberAndProbe(batch, context));
    return { records, texts, prepared };
  };
  const decide = async ({ records, texts, prepared }: Chunk<T>): Promise<{ records: T[]; verdicts: DedupVerdict[] }> => {
    const verdicts: DedupVerdict[] = new Array(records.length);
    if (!hasText) {
      verdicts.fill(KEEP);
    } else if (prepared === undefined) {
      for (let index = 0; index < records.length; index++) {
        verdicts[index] = pipeline.decideText(records[index]!.id, texts[index]!, asReference);
      }
    } else {
      const { batch, entered, probed } = await prepared;
      const candidates = await candidatesOf(probed, pipeline);
      for (let index = 0; index < records.length; index++) {
        verdicts[index] = pipeline.decideProbed(records[index]!.id, batch, index, entered, candidates, asReference);
      }
    }
    pipeline.decideSemantic(
      records.map((record) => record.id),
      verdicts,
      (index) => semanticValueOf(records[index]!.fields, semanticField),
      asReference,
    );
    return { records, verdicts };
  };
  return inFlightWindow(chunksOf(source, chunkSize), windowSize(context), start, decide);
}

/** A batch of stage lines read and sketched (in a worker, or here without a pool), numbered and probed. */
interface PreparedLines {
  bytes: Uint8Array<ArrayBuffer>;
  lines: StageLines;
  prepared: Prepared;
}

/**
 * decideChunks for batches of stage lines (dedupStageLines), never references. Without a pool this
 * thread reads and sketches each batch as a worker would (sketchStageLines: ids and compared text
 * from the line's bytes, about a quarter less CPU than JSON.parse of every record) and decides it
 * with the pipeline's own band table: the same batches, numbers and verdicts either way.
 */
function decideLineBatches(
  source: AsyncIterable<Uint8Array<ArrayBuffer>>,
  fields: readonly string[],
  context: StreamContext,
): AsyncIterable<StageLineVerdicts> {
  const { pool, pipeline } = context;
  const numbered = inInputOrder();
  const locator = pool === undefined ? new StageRecordLocator(fields) : undefined;
  const start = (bytes: Uint8Array<ArrayBuffer>): Promise<PreparedLines> => {
    if (pool === undefined) {
      const { lines, batch } = pipeline.sketchLines(bytes, fields, locator!);
      return Promise.resolve({ bytes, lines, prepared: numberAndProbe(batch, context) });
    }
    return numbered(pool.sketchLines(bytes, fields), ({ bytes, lines, batch }) => ({ bytes, lines, prepared: numberAndProbe(batch, context) }));
  };
  const decide = async (started: Promise<PreparedLines>): Promise<StageLineVerdicts> => {
    const { bytes, lines, prepared } = await started;
    const candidates = await candidatesOf(prepared.probed, pipeline);
    const verdicts: (DedupVerdict | undefined)[] = new Array(lines.count);
    let doc = 0;
    for (let line = 0; line < lines.count; line++) {
      if (lines.failed[line] === 1) continue;
      verdicts[line] = pipeline.decideProbed(lines.ids[doc] as string, prepared.batch, doc, prepared.entered, candidates, false);
      doc++;
    }
    return { bytes, lines, verdicts };
  };
  return inFlightWindow(source, windowSize(context), start, decide);
}

/** `source` in arrays of `size` items (the last may be shorter; none is empty). */
async function* chunksOf<T>(source: AsyncIterable<T>, size: number): AsyncIterable<T[]> {
  let chunk: T[] = [];
  for await (const item of source) {
    chunk.push(item);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

import { resolveDedupConfig, sketchIdentity, type DedupConfig, type DeduperOptions, type DedupSpec } from './dedup-spec.js';
import { DedupPipeline, dedupTextOf, semanticValueOf, type DedupStats, type DedupVerdict } from './deduper.js';
import type { SketchBatch } from './document-sketcher.js';
import { DedupWorkerError } from './errors.js';
import { SketchPool } from './sketch-pool.js';

/**
 * Streaming deduplication with backpressure and optional worker threads.
 *
 * Records are read in chunks of `chunkSize`. With `workers > 1`, each full chunk is sketched in a
 * worker thread (sketch-pool.ts) while up to `workers + 1` chunks are in flight, so reading,
 * sketching and deciding overlap. The decisions (text-dedup-index.ts) then run on this thread,
 * strictly in input order, and every record is yielded with its verdict in input order. Chunks
 * smaller than MIN_PARALLEL_CHUNK (the tail of a stream) are sketched here, where a round trip
 * costs more than it saves.
 *
 * Backpressure: nothing is read while the consumer is not pulling, beyond the chunks in flight, so
 * memory is bounded by (in-flight chunks × chunkSize) records plus the index.
 *
 * Exact before MinHash: on this thread a record's exact key is checked before it is shingled. In a
 * worker, a record whose key repeats an earlier key of the same chunk is not sketched either; one
 * whose original is in an earlier chunk is sketched in parallel and the sketch is discarded (it
 * never reaches the LSH index). The verdicts are identical either way, with or without workers.
 *
 * Semantic dedup (DedupPipeline in deduper.ts) runs on this thread after a chunk's exact and near verdicts,
 * on the records they kept, in batches that scan the stored vectors once per four queries; a
 * semantic-only spec skips the text stage (no text is built, no worker is started).
 *
 * References (earlier dataset versions) go through the same pipeline first and are never yielded.
 */

export interface DedupStreamOptions extends DeduperOptions {
  references?: AsyncIterable<{ id: string; fields: Record<string, unknown> }>;
  /** Worker threads for sketching (default 1: none, everything on this thread). */
  workers?: number;
  /** Records per chunk (default 2048). */
  chunkSize?: number;
  /** Called once, after the last record, with the final statistics. */
  onStats?: (stats: DedupStats) => void;
  /**
   * An already started pool to sketch with instead of starting `workers` threads (start-up costs
   * tens of milliseconds from dist/, about a second from TypeScript sources). Its config must equal
   * this spec's; the caller closes it.
   */
  pool?: SketchPool;
}

const DEFAULT_CHUNK_SIZE = 2048;
const KEEP: DedupVerdict = Object.freeze({ keep: true });
const MIN_PARALLEL_CHUNK = 64;

type Keyed = { id: string; fields: Record<string, unknown> };

export async function* dedupStream<T extends Keyed>(
  records: AsyncIterable<T>,
  spec: DedupSpec,
  options: DedupStreamOptions = {},
): AsyncIterable<{ record: T; verdict: DedupVerdict }> {
  const config = resolveDedupConfig(spec, options);
  const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? DEFAULT_CHUNK_SIZE));
  const workers = Math.max(1, Math.floor(options.workers ?? 1));
  const wasm = options.wasm ?? true;
  const pipeline = await DedupPipeline.create(config, { wasm });
  const hasText = pipeline.hasText;
  const ownPool = options.pool === undefined && workers > 1 && hasText;
  if (options.pool !== undefined) assertSameConfig(options.pool.config, config);
  const pool = ownPool ? await SketchPool.create(config, workers, { wasm }) : hasText ? options.pool : undefined;
  try {
    if (options.references !== undefined) {
      for await (const _ of decideChunks(options.references, true, chunkSize, pool, pipeline, spec));
    }
    for await (const chunk of decideChunks(records, false, chunkSize, pool, pipeline, spec)) {
      for (let index = 0; index < chunk.records.length; index++) {
        yield { record: chunk.records[index]!, verdict: chunk.verdicts[index]! };
      }
    }
    options.onStats?.(pipeline.stats());
  } finally {
    if (ownPool) await pool?.close();
  }
}

function assertSameConfig(poolConfig: DedupConfig, config: DedupConfig): void {
  if (sketchIdentity(poolConfig) !== sketchIdentity(config)) {
    throw new DedupWorkerError(
      `the sketch pool was started for other parameters (${sketchIdentity(poolConfig)}) than this stream's (${sketchIdentity(config)})`,
    );
  }
}

interface Chunk<T> {
  records: T[];
  texts: string[];
  /** Sketches from a worker; undefined when the chunk is sketched on this thread. */
  batch: Promise<SketchBatch> | undefined;
}

async function* decideChunks<T extends Keyed>(
  source: AsyncIterable<T>,
  asReference: boolean,
  chunkSize: number,
  pool: SketchPool | undefined,
  pipeline: DedupPipeline,
  spec: DedupSpec,
): AsyncIterable<{ records: T[]; verdicts: DedupVerdict[] }> {
  const hasText = pipeline.hasText;
  const semanticField = pipeline.config.semantic?.field;
  const iterator = source[Symbol.asyncIterator]();
  const maxInFlight = pool === undefined ? 1 : pool.size + 1;
  const inFlight: Chunk<T>[] = [];
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && inFlight.length < maxInFlight) {
        const records = await readChunk(iterator, chunkSize);
        if (records.length < chunkSize) exhausted = true;
        if (records.length === 0) break;
        const texts = hasText ? records.map((record) => dedupTextOf(record.fields, spec, record.id)) : [];
        let batch: Promise<SketchBatch> | undefined;
        if (pool !== undefined && records.length >= MIN_PARALLEL_CHUNK) {
          batch = pool.sketch(texts);
          // Awaited in order below; this only keeps a failure of a later chunk from going unhandled
          // when an earlier one fails first or the consumer stops early.
          batch.catch(() => undefined);
        }
        inFlight.push({ records, texts, batch });
      }
      const chunk = inFlight.shift();
      if (chunk === undefined) return;
      const { records, texts } = chunk;
      const verdicts: DedupVerdict[] = new Array(records.length);
      if (!hasText) {
        verdicts.fill(KEEP);
      } else if (chunk.batch === undefined) {
        for (let index = 0; index < records.length; index++) {
          verdicts[index] = pipeline.decideText(records[index]!.id, texts[index]!, asReference);
        }
      } else {
        const batch = await chunk.batch;
        for (let index = 0; index < records.length; index++) {
          verdicts[index] = pipeline.decideSketched(records[index]!.id, batch, index, asReference);
        }
      }
      pipeline.decideSemantic(
        records.map((record) => record.id),
        verdicts,
        (index) => semanticValueOf(records[index]!.fields, semanticField),
        asReference,
      );
      yield { records, verdicts };
    }
  } finally {
    if (!exhausted) await iterator.return?.();
  }
}

async function readChunk<T>(iterator: AsyncIterator<T>, size: number): Promise<T[]> {
  const records: T[] = [];
  while (records.length < size) {
    const next = await iterator.next();
    if (next.done === true) break;
    records.push(next.value);
  }
  return records;
}

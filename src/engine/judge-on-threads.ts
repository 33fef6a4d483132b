/**
 * Collect's per-result work (decode, judge) on collect-pool.ts's threads, for a provider that offers
 * its result lines raw (`resultChunks` + `resultDecoder`). The calling thread keeps what must stay
 * ordered and single: reading the lines, which ones count, the files in arrival order, the books.
 */
import type { BatchProvider, ResultDecoder } from '../providers/batch-provider.js';
import type { ShardRow } from '../store/run-store.js';
import type { CompiledBatchStep } from './compile-recipe.js';
import { BATCHES_PER_THREAD, collectWorkers, type CollectPool, type CollectWorkerData, type JudgedBatch } from './collect-pool.js';
import { lineBatches } from '../dataset/line-chunks.js';
import { inFlightWindow } from '../in-flight-window.js';

/**
 * Below this many requests a shard is judged in the calling thread under the default thread count:
 * the threads' start (≈ 0.23 s of CPU each, in parallel) is more than judging it takes (≈ 10 µs a
 * line). Larger shards, and the shards after the first (the threads are kept), gain.
 */
export const MIN_THREADED_LINES = 5_000;
/** Bytes per batch sent to a thread (≈ 350 lines of the benchmark's): enough that a message's cost is noise beside the batch's work. */
const BATCH_BYTES = 256 * 1024;
/**
 * How many threads judge `shard` beside the calling thread (0: it judges them itself). Threads need
 * the provider's raw lines and decoder, and a JSON Schema output (a zod schema, from a TS recipe,
 * cannot be rebuilt in a thread). A count the user set applies to every shard; the default only to
 * shards large enough.
 */
export function collectThreads(provider: BatchProvider, step: CompiledBatchStep, shard: ShardRow): number {
  if (!provider.resultChunks || !provider.resultDecoder || step.output.source !== 'json-schema') return 0;
  const { threads, explicit } = collectWorkers();
  return !explicit && shard.requestCount < MIN_THREADED_LINES ? 0 : threads;
}

export function collectWorkerData(decoder: ResultDecoder, step: CompiledBatchStep): CollectWorkerData {
  return { decoder, schemaName: step.output.name, jsonSchema: step.output.jsonSchema, mode: step.outputMode };
}

/**
 * Sends `chunks` (whole lines of shard `shard`, of `lineCount` lines) to the pool in batches of
 * about BATCH_BYTES, cut into the pool's slots, and hands each judged batch to `take`, in order,
 * with up to BATCHES_PER_THREAD per thread in flight while it reads on; a batch's slot is reused
 * once `take` is done with it. The calling thread only copies bytes: it decodes and encodes no line.
 */
export async function judgeOnThreads(
  chunks: AsyncIterable<Uint8Array>,
  shard: { id: string; lineCount: number },
  pool: CollectPool,
  threads: number,
  take: (batch: JudgedBatch) => Promise<void>,
): Promise<void> {
  const judge = (bytes: Uint8Array): Promise<JudgedBatch> => pool.judge(shard.id, shard.lineCount, bytes);
  for await (const batch of inFlightWindow(lineBatches(chunks, BATCH_BYTES, pool.allocate), threads * BATCHES_PER_THREAD, judge, (judged) => judged)) {
    await take(batch);
    pool.done(batch);
  }
}

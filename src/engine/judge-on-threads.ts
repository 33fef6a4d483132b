/**
 * Collect's per-result work (decode, judge) on collect-pool.ts's threads, for a provider that offers
 * its result lines raw (`resultLines` + `resultDecoder`). The calling thread keeps what must stay
 * ordered and single: reading the lines, which ones count, the files in arrival order, the books.
 */
import type { BatchProvider, ResultDecoder } from '../providers/batch-provider.js';
import type { ShardRow } from '../store/run-store.js';
import { RESPONSE_OUTCOMES } from '../store/response-outcomes.js';
import type { CompiledBatchStep } from './compile-recipe.js';
import { collectWorkers, HAS_USAGE, RETRYABLE, type CollectPool, type CollectWorkerData, type JudgedBatch } from './collect-pool.js';
import type { Verdict } from './judge-result.js';

/**
 * Below this many requests a shard is judged in the calling thread under the default thread count:
 * starting the threads (an isolate each, the converter and ajv loaded and warmed) costs about what
 * judging this many lines does.
 */
export const MIN_THREADED_LINES = 2_000;
/** Raw lines per batch sent to a thread: enough that a message's cost is noise beside the batch's work. */
const BATCH_LINES = 256;
/** Batches in flight per thread: one judged, one waiting, one being read. */
const BATCHES_PER_THREAD = 3;

/**
 * How many threads judge `shard` (1: the calling thread). Threads need the provider's raw lines and
 * decoder, and a JSON Schema output (a zod schema, from a TS recipe, cannot be rebuilt in a thread).
 * `SYNTHFORGE_COLLECT_WORKERS` set applies to every shard; the default only to shards large enough.
 */
export function collectThreads(provider: BatchProvider, step: CompiledBatchStep, shard: ShardRow): number {
  if (!provider.resultLines || !provider.resultDecoder || step.output.source !== 'json-schema') return 1;
  const explicit = process.env.SYNTHFORGE_COLLECT_WORKERS !== undefined && process.env.SYNTHFORGE_COLLECT_WORKERS !== '';
  if (!explicit && shard.requestCount < MIN_THREADED_LINES) return 1;
  return collectWorkers();
}

export function collectWorkerData(decoder: ResultDecoder, step: CompiledBatchStep, shard: ShardRow, lines: number): CollectWorkerData {
  return { decoder, schemaName: step.output.name, jsonSchema: step.output.jsonSchema, mode: step.outputMode, shardId: shard.id, lines };
}

/**
 * Sends `lines` to the pool in batches and hands each judged batch to `take`, in order, with up to
 * BATCHES_PER_THREAD per thread in flight while it reads on.
 */
export async function judgeOnThreads(lines: AsyncIterable<string>, pool: CollectPool, threads: number, take: (batch: JudgedBatch) => Promise<void>): Promise<void> {
  const window = threads * BATCHES_PER_THREAD;
  const inFlight: Promise<JudgedBatch>[] = [];
  let batch: string[] = [];
  for await (const line of lines) {
    batch.push(line);
    if (batch.length < BATCH_LINES) continue;
    inFlight.push(pool.judge(batch.join('\n')));
    batch = [];
    if (inFlight.length >= window) await take(await inFlight.shift()!);
  }
  if (batch.length > 0) inFlight.push(pool.judge(batch.join('\n')));
  while (inFlight.length > 0) await take(await inFlight.shift()!);
}

/** Raw line `index` of a judged batch as the Verdict the calling thread would have made. */
export function verdictAt(batch: JudgedBatch, index: number): Verdict {
  const flags = batch.flags[index]!;
  const authError = batch.authErrors?.find((entry) => entry.index === index)?.error;
  return {
    outcome: RESPONSE_OUTCOMES[batch.outcomes[index]!]!,
    retryable: (flags & RETRYABLE) !== 0,
    ...(authError ? { authError } : {}),
    ...((flags & HAS_USAGE) !== 0
      ? { usage: { inputTokens: batch.usage[index * 3]!, outputTokens: batch.usage[index * 3 + 1]!, cachedInputTokens: batch.usage[index * 3 + 2]! } }
      : {}),
    text: batch.text.slice(index === 0 ? 0 : batch.ends[index - 1]!, batch.ends[index]!),
  };
}

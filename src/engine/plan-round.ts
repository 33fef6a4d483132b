/**
 * Planning a round of a generate step: render every request of the step's input, skip those the
 * cache or an earlier shard already covers, and write the rest into shard files, each recorded in
 * the store before anything is submitted.
 *
 * Round 0 sends every request not yet answered; later rounds send only the requests whose answer in
 * the round before was invalid and not final (`retryKeys`). Nothing is stored per request: a round
 * is marked `planning`, then `planned` once every shard of it is recorded. A pass that died midway is
 * planned again, skipping the requests already in the shards it recorded (their keys are in the
 * shards' `.keys` files); its unrecorded last shard file was never submitted.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RunStore, ShardRow } from '../store/run-store.js';
import { FINAL_OUTCOME_BIT } from '../store/store-schema.js';
import type { CompiledBatchStep } from './compile-recipe.js';
import { readRecords, requestKeysPath, RequestKeysWriter } from './stage-files.js';
import { renderOrReject } from './render-requests.js';
import { shardLimits, ShardWriter, type ShardFile } from './shard-writer.js';
import { CachedAnswers } from './cached-answers.js';
import { keyAt, lineCount, readShardKeys } from './shard-files.js';
import { KeySet } from './key-set.js';
import type { RequestEstimator } from './step-pricing.js';
import { failpoint } from './failpoints.js';
import { RepairRequests } from './repair-requests.js';

export interface PlanContext {
  runId: string;
  runDir: string;
  store: RunStore;
  noCache: boolean;
  estimator: RequestEstimator;
}

export interface PlanResult {
  /** Unique requests of the step considered in this round. */
  requests: number;
  cached: number;
  toSend: number;
  shards: number;
}

/**
 * Plans round `round`. For a round after the first, `retrying` holds the keys to send again
 * (`retryKeys` of the round before).
 */
export async function planRound(context: PlanContext, step: CompiledBatchStep, inputPath: string, round: number, retrying?: KeySet): Promise<PlanResult> {
  const { store, runId } = context;
  const { capabilities } = step;
  const stepIndex = step.step.index;
  const directory = join(context.runDir, 'shards');
  mkdirSync(directory, { recursive: true });
  const recorded = store.shardsOfStep(runId, stepIndex);
  const alreadySharded = keysOfShards(recorded.filter((shard) => shard.round === round && shard.status !== 'retired'));
  store.saveRound(runId, stepIndex, round, 'planning');
  const writer = new ShardWriter({
    directory,
    prefix: `step${stepIndex}-round${round}-${Date.now().toString(36)}`,
    ...shardLimits(capabilities, step),
    shardId: (index) => `${runId}-s${stepIndex}-${String(recorded.length + index).padStart(4, '0')}`,
    onShard: (shard) => recordShard(context, step, round, shard),
  });
  // repair hook: a retry round sends invalid answers back with a repair turn, truncated ones with more tokens.
  const repairs = retrying ? await RepairRequests.open(store, runId, step, round) : undefined;
  const cache = context.noCache || store.responses.isEmpty() ? undefined : new CachedAnswers(store);
  const seen = new KeySet();
  const result: PlanResult = { requests: 0, cached: 0, toSend: 0, shards: 0 };
  // Round 0 also writes each record's request keys, so emitting samples later needs no re-rendering.
  const keys = round === 0 ? new RequestKeysWriter(requestKeysPath(inputPath, stepIndex)) : undefined;
  try {
    let yieldedAt = performance.now();
    for await (const record of readRecords(inputPath)) {
      // Records of one read chunk render back to back; a turn of the event loop now and then lets Ctrl-C in.
      if (performance.now() - yieldedAt > YIELD_EVERY_MS) {
        await new Promise(setImmediate);
        yieldedAt = performance.now();
      }
      const rendered = renderOrReject(step, record);
      // A record that cannot be rendered is quarantined (once, in round 0) and sends nothing.
      if (!Array.isArray(rendered)) {
        await keys?.reject(record, step.step.name, rendered.reason);
        continue;
      }
      // The writers return a promise only when their stream must drain: most requests await nothing.
      const keysWritten = keys?.write(rendered.map((item) => item.key));
      if (keysWritten) await keysWritten;
      for (const { key, request } of rendered) {
        // A key that appears twice in the input is one request.
        if ((retrying && !retrying.has(key)) || !seen.add(key)) continue;
        result.requests++;
        if (alreadySharded.has(key)) continue;
        if (!retrying && cache?.has(key)) {
          result.cached++;
          continue;
        }
        const sent = repairs?.requestFor(key, request) ?? request;
        const added = writer.add(key, (customId) => capabilities.encodeRequest({ ...sent, customId }), context.estimator.inputTokens(sent));
        if (added) await added;
        result.toSend++;
      }
    }
    await writer.close();
    await keys?.close();
  } finally {
    cache?.close();
    repairs?.close();
  }
  result.shards = writer.shardCount;
  store.saveRound(runId, stepIndex, round, 'planned', result);
  return result;
}

/** How long planning renders without giving the event loop a turn (signals, cancel). */
const YIELD_EVERY_MS = 100;

/**
 * The keys to send again after round `round`: lines of its collected shards whose answer was not
 * final (invalid, retryable, attempts left). Empty when every answer of the round was final.
 */
export function retryKeys(store: RunStore, runId: string, stepIndex: number, round: number): KeySet {
  const retry = new KeySet();
  for (const shard of store.shardsOfStep(runId, stepIndex)) {
    if (shard.round !== round) continue;
    const outcomes = store.shardOutcomes(shard.id);
    if (!outcomes || outcomes.every((byte) => (byte & FINAL_OUTCOME_BIT) !== 0)) continue;
    const keys = readShardKeys(shard.inputPath);
    outcomes.forEach((byte, line) => {
      if ((byte & FINAL_OUTCOME_BIT) === 0) retry.add(keyAt(keys, line));
    });
  }
  return retry;
}

function keysOfShards(shards: ShardRow[]): KeySet {
  const set = new KeySet();
  for (const shard of shards) {
    const keys = readShardKeys(shard.inputPath);
    for (let line = 0; line < lineCount(keys); line++) set.add(keyAt(keys, line));
  }
  return set;
}

/** Records the shard (status `planned`) before anything can submit it. */
function recordShard(context: PlanContext, step: CompiledBatchStep, round: number, shard: ShardFile): void {
  context.store.insertShard({
    id: shard.id,
    runId: context.runId,
    stepIndex: step.step.index,
    round,
    provider: step.step.modelRef.provider,
    model: step.step.modelRef.model,
    endpoint: step.step.base_url ?? '',
    kind: step.kind === 'embed' ? 'embedding' : 'chat',
    inputPath: shard.path,
    inputHash: shard.sha256,
    requestCount: shard.requestCount,
    bytes: shard.bytes,
    inputTokens: shard.inputTokens,
    ...shardEstimate(context.estimator, shard),
  });
  failpoint('shard-recorded');
}

/** The shard's estimated batch cost, checked against the budget before it is submitted. */
function shardEstimate(estimator: RequestEstimator, shard: ShardFile): { estimateUsd?: number } {
  const usd = estimator.batchUsd(shard.inputTokens, estimator.outputTokens * shard.requestCount);
  return usd === undefined ? {} : { estimateUsd: usd };
}

/**
 * Planning a round of a generate step: render every request of the step's input, skip those the
 * cache or an earlier shard already covers, and write the rest into shard files, each recorded in
 * the store (with one more attempt on its requests) before anything is submitted.
 *
 * Round 0 sends every request not yet answered; later rounds send only requests whose last answer
 * was invalid and that have attempts left. A request recorded but never put into a recorded shard
 * (the process died while planning) is planned again: its earlier shard file was never submitted.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RunStore } from '../store/run-store.js';
import type { CompiledBatchStep } from './compile-recipe.js';
import { readRecords, requestKeysPath, RequestKeysWriter } from './stage-files.js';
import { renderOrReject, type RenderedRequest } from './render-requests.js';
import { shardLimits, ShardWriter, type ShardFile } from './shard-writer.js';
import type { RequestEstimator } from './step-pricing.js';
import { failpoint } from './failpoints.js';

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

export async function planRound(context: PlanContext, step: CompiledBatchStep, inputPath: string, round: number): Promise<PlanResult> {
  const { store, runId } = context;
  const { capabilities } = step;
  const stepIndex = step.step.index;
  const limits = shardLimits(capabilities, step);
  const directory = join(context.runDir, 'shards');
  mkdirSync(directory, { recursive: true });
  const pass = Date.now().toString(36);
  const writer = new ShardWriter({
    directory,
    prefix: `step${stepIndex}-round${round}-${pass}`,
    ...limits,
    onShard: (shard) => recordShard(context, step, round, shard),
  });
  const retrying = round > 0 ? store.requestKeysWithStatus(runId, stepIndex, 'retry') : undefined;
  // Requests left pending by a pass that died before recording their shard were never sent.
  if (round === 0) store.deletePendingRequests(runId, stepIndex);
  const result: PlanResult = { requests: 0, cached: 0, toSend: 0, shards: 0 };

  let chunk: RenderedRequest[] = [];
  const flush = async (): Promise<void> => {
    // One transaction per chunk: a commit per request would cost an fsync per request.
    const chosen = store.transaction(() => chunk.filter((rendered) => shouldSend(context, stepIndex, rendered, retrying, result)));
    for (const rendered of chosen) {
      await writer.add(rendered.key, capabilities.encodeRequest(rendered.request), context.estimator.inputTokens(rendered.request));
    }
    result.toSend += chosen.length;
    chunk = [];
  };
  // Round 0 also writes each record's request keys, so emitting samples later needs no re-rendering.
  const keys = round === 0 ? new RequestKeysWriter(requestKeysPath(inputPath, stepIndex)) : undefined;
  for await (const record of readRecords(inputPath)) {
    const rendered = renderOrReject(step, record);
    // A record that cannot be rendered is quarantined (once, in round 0) and sends nothing.
    if (!Array.isArray(rendered)) {
      await keys?.reject(record, step.step.name, rendered.reason);
      continue;
    }
    await keys?.write(rendered.map((item) => item.key));
    for (const item of rendered) {
      chunk.push(item);
      if (chunk.length >= PLAN_CHUNK) await flush();
    }
  }
  await flush();
  await writer.close();
  await keys?.close();
  result.requests = store.countStepRequests(runId, stepIndex);
  result.shards = writer.shardCount;
  return result;
}

/** Requests per store transaction while planning (pending until their shard is recorded). */
const PLAN_CHUNK = 10_000;

function shouldSend(context: PlanContext, stepIndex: number, rendered: RenderedRequest, retrying: Set<string> | undefined, result: PlanResult): boolean {
  const { store, runId } = context;
  const { key } = rendered;
  if (retrying) {
    // delete: a key that appears twice in the input is still sent once.
    return retrying.delete(key);
  }
  // false: a duplicate request of this pass, or one already sent in a recorded shard.
  if (!store.addRequest(runId, stepIndex, key, rendered.request.customId)) return false;
  const cached = context.noCache ? undefined : store.responses.get(key);
  if (cached?.final) {
    store.setRequestOutcome(runId, stepIndex, key, cached.outcome, true);
    result.cached++;
    return false;
  }
  return true;
}

/** One transaction: the shard row and its requests' assignment (attempts + 1) commit together. */
function recordShard(context: PlanContext, step: CompiledBatchStep, round: number, shard: ShardFile): void {
  const { store, runId } = context;
  store.transaction(() => {
    // Numbered in order of recording: unique even when a retry shard has the same bytes as an earlier one.
    const shardId = `${runId}-s${step.step.index}-${String(store.shardsOfStep(runId, step.step.index).length).padStart(4, '0')}`;
    store.insertShard({
      id: shardId,
      runId,
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
      ...shardEstimate(context.estimator, shard),
    });
    store.assignRequestsToShard(runId, step.step.index, shardId, shard.requestKeys);
  });
  failpoint('shard-recorded');
}

/** The shard's estimated batch cost, checked against the budget before it is submitted. */
function shardEstimate(estimator: RequestEstimator, shard: ShardFile): { estimateUsd?: number } {
  const usd = estimator.batchUsd(shard.inputTokens, estimator.outputTokens * shard.requestCount);
  return usd === undefined ? {} : { estimateUsd: usd };
}

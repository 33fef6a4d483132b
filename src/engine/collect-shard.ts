/**
 * Collecting an ended (or failed) shard: every result line is matched to its request by custom_id
 * (results come back in any order), judged, and stored in the response cache. Requests of the
 * shard that got no line at all are `missing` and may be retried.
 *
 * Re-collecting after a crash is safe: responses are upserts and attempts were counted when the
 * shard was recorded, not here. The ledger entry and the `collected` mark commit together, so
 * usage is never counted twice.
 */
import type { TokenUsage } from '../domain.js';
import type { BatchHandle, BatchItemResult } from '../providers/batch-provider.js';
import type { RunStore, ShardRow } from '../store/run-store.js';
import type { ResponseOutcome } from '../store/store-schema.js';
import type { CompiledBatchStep } from './compile-recipe.js';
import type { DriveContext } from './drive-shard.js';
import { evaluateResult } from './evaluate-result.js';
import { failpoint } from './failpoints.js';

/**
 * Results stored per transaction: large enough that commits are rare (re-collecting after a crash is
 * safe, so a big transaction loses nothing), and at least two per shard.
 */
function chunkSize(requestCount: number): number {
  return Math.max(1, Math.min(10_000, Math.ceil(requestCount / 2)));
}
const TEXT_EXCERPT_CHARS = 400;

export interface UsageTotals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
}

export async function collectShard(context: DriveContext, step: CompiledBatchStep, shard: ShardRow): Promise<void> {
  const { store, provider } = context;
  const usage: UsageTotals = { requests: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
  const tally = { results: 0, valid: 0, invalid: 0 };
  if (shard.status === 'ended') {
    const size = chunkSize(shard.requestCount);
    let chunk: BatchItemResult[] = [];
    for await (const result of provider.results(shard.handle as BatchHandle, context.signal ? { signal: context.signal } : {})) {
      chunk.push(result);
      if (chunk.length >= size) {
        store.transaction(() => storeResults(context, step, shard, chunk, usage, tally));
        chunk = [];
        failpoint('collecting');
      }
    }
    store.transaction(() => storeResults(context, step, shard, chunk, usage, tally));
  }
  // A failed batch ran nothing (and bills nothing): all of its requests are missing.
  let missing = 0;
  store.transaction(() => {
    for (const request of store.unansweredRequestsOfShard(shard.id)) {
      const final = request.attempts >= step.maxAttempts;
      saveOutcome(store, context.runId, step, shard, request.requestKey, 'missing', final, {
        reason: shard.status === 'failed' ? `the batch failed: ${shard.error ?? shard.rawStatus ?? 'unknown'}` : 'no result line for this request',
        attempts: request.attempts,
      });
      missing++;
    }
    store.addLedgerEntry({
      runId: context.runId,
      stepIndex: shard.stepIndex,
      shardId: shard.id,
      ...(shard.batchId ? { batchId: shard.batchId } : {}),
      provider: shard.provider,
      model: shard.model,
      ...usage,
      ...(context.priceUsage ? context.priceUsage(shard.provider, shard.model, usage) : {}),
    });
    store.markShardCollected(shard.id);
  });
  context.emit({ type: 'shard-collect', step: step.step.name, shardId: shard.id, results: tally.results, valid: tally.valid, invalid: tally.invalid, missing });
}

function storeResults(
  context: DriveContext,
  step: CompiledBatchStep,
  shard: ShardRow,
  results: BatchItemResult[],
  usage: UsageTotals,
  tally: { results: number; valid: number; invalid: number },
): void {
  const { store, runId } = context;
  for (const result of results) {
    const request = store.requestByCustomId(runId, shard.stepIndex, result.customId);
    // Unknown ids (not ours) and duplicate deliveries of a line already stored are ignored.
    if (!request || request.status !== 'sharded') continue;
    const key = request.requestKey;
    if ('usage' in result && result.usage) addUsage(usage, result.usage);
    const evaluation = evaluateResult(result, step.output, { provider: shard.provider, mode: step.outputMode });
    const final = evaluation.outcome === 'valid' || !evaluation.retryable || request.attempts >= step.maxAttempts;
    saveOutcome(store, runId, step, shard, key, evaluation.outcome, final, {
      ...(evaluation.reason ? { reason: evaluation.reason } : {}),
      ...(evaluation.value ? { value: evaluation.value } : {}),
      ...(result.outcome === 'succeeded' && evaluation.outcome !== 'valid' ? { textExcerpt: result.text.slice(0, TEXT_EXCERPT_CHARS) } : {}),
      ...('usage' in result && result.usage ? { usage: result.usage } : {}),
      customId: result.customId,
      attempts: request.attempts,
    });
    tally.results++;
    if (evaluation.outcome === 'valid') tally.valid++;
    else tally.invalid++;
  }
}

function saveOutcome(
  store: RunStore,
  runId: string,
  step: CompiledBatchStep,
  shard: ShardRow,
  requestKey: string,
  outcome: ResponseOutcome,
  final: boolean,
  extra: { reason?: string; value?: unknown; textExcerpt?: string; usage?: TokenUsage; customId?: string; attempts: number },
): void {
  store.responses.put({
    requestKey,
    provider: step.step.modelRef.provider,
    model: step.step.modelRef.model,
    outcome,
    ...extra,
    ...(shard.batchId ? { batchId: shard.batchId } : {}),
    final,
  });
  store.setRequestOutcome(runId, shard.stepIndex, requestKey, outcome, final);
}

function addUsage(totals: UsageTotals, usage: TokenUsage): void {
  totals.requests++;
  totals.inputTokens += usage.inputTokens;
  totals.outputTokens += usage.outputTokens;
  totals.cachedInputTokens += usage.cachedInputTokens ?? 0;
}

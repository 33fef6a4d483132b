/**
 * The life of one shard, as one state machine:
 *
 *   planned ──submit──▶ submitting ──batch id saved──▶ submitted ──poll──▶ ended | failed ──collect──▶ collected
 *      ▲                    │
 *      └── definite rejection (4xx, 429: nothing was created)
 *
 * Exactly-once submission. The shard is marked `submitting` before the create call and `submitted`
 * with the batch id right after. A shard found `submitting` (the process died in between, or the
 * create failed ambiguously) is looked up at the provider before anything is sent again:
 * - found: that batch is adopted; nothing is resubmitted.
 * - not found: the create never took effect (OpenAI: every batch we create carries our run and
 *   shard ids in its metadata, so a batch that exists is always found), and submitting is safe.
 *
 * Collecting: every result line is matched to its request by custom_id (results come back in any
 * order), judged, and stored in the response cache. Requests of the shard that got no line at all
 * are `missing` and may be retried. Re-collecting after a crash is safe: responses are upserts and
 * attempts were counted when the shard was recorded, not here. The ledger entry and the `collected`
 * mark commit together, so usage is never counted twice.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { TokenUsage } from '../domain.js';
import { BudgetGuard } from '../cost/budget.js';
import type { BatchHandle, BatchItemResult, BatchProvider, BatchStatus, ShardSubmission } from '../providers/batch-provider.js';
import { ProviderApiError } from '../providers/errors.js';
import type { RunStore, ShardRow } from '../store/run-store.js';
import type { ResponseOutcome } from '../store/store-schema.js';
import type { CompiledBatchStep } from './compile-recipe.js';
import { RunCancelledError, ShardSubmissionUnknownError } from './errors.js';
import { EXCERPT_CHARS, evaluateResult } from './evaluate-result.js';
import { failpoint } from './failpoints.js';
import type { RunEventListener } from './run-events.js';

export interface DriveContext {
  runId: string;
  store: RunStore;
  provider: BatchProvider;
  emit: RunEventListener;
  pollIntervalMs: { initial: number; max: number };
  /** How many times a retryable submit/poll failure is retried before the run stops (resumable). */
  maxCallRetries: number;
  isCancelled: () => boolean;
  signal?: AbortSignal;
  /** The run's `budget.max_usd`; a shard that would cross it is not submitted. */
  maxUsd?: number;
  /** Prices a shard's usage (batch and synchronous USD); absent or undefined = no known price. */
  priceUsage?: (provider: string, model: string, usage: UsageTotals) => { costUsd?: number; syncCostUsd?: number };
}

/**
 * Takes one recorded shard from wherever it stands towards `collected`, one transition at a time.
 * `until: 'ended'` stops once the provider has finished it (benchmarks collect separately).
 */
export async function driveShard(context: DriveContext, step: CompiledBatchStep, shardId: string, options: { until?: 'ended' | 'collected' } = {}): Promise<void> {
  let shard = context.store.getShard(shardId)!;
  if (shard.status === 'collected') return;
  if (shard.status === 'planned' || shard.status === 'submitting') shard = await submitShard(context, step, shard);
  if (shard.status === 'submitted') shard = await pollShard(context, step, shard);
  if (options.until === 'ended') return;
  if (shard.status === 'ended' || shard.status === 'failed') await collectShard(context, step, shard);
}

async function submitShard(context: DriveContext, step: CompiledBatchStep, shard: ShardRow): Promise<ShardRow> {
  const { store, provider } = context;
  const submission: ShardSubmission = {
    runId: context.runId,
    shardId: shard.id,
    model: shard.model,
    inputPath: shard.inputPath,
    requestCount: shard.requestCount,
    kind: shard.kind === 'embedding' ? 'embedding' : 'chat',
  };
  for (let attempt = 1; ; attempt++) {
    if (context.isCancelled()) throw new RunCancelledError(context.runId);
    const current = store.getShard(shard.id)!;
    if (current.status === 'submitting') {
      const found = await reconcile(context, current, submission);
      if (found) {
        store.markShardSubmitted(shard.id, found.batchId, found);
        context.emit({ type: 'shard-submit', step: step.step.name, shardId: shard.id, batchId: found.batchId, requests: shard.requestCount, reconciled: true });
        return store.getShard(shard.id)!;
      }
    }
    checkBudget(context, current);
    store.markShardSubmitting(shard.id);
    try {
      const handle = await provider.submit(submission, context.signal ? { signal: context.signal } : {});
      failpoint('batch-created');
      store.markShardSubmitted(shard.id, handle.batchId, handle);
      context.emit({ type: 'shard-submit', step: step.step.name, shardId: shard.id, batchId: handle.batchId, requests: shard.requestCount });
      return store.getShard(shard.id)!;
    } catch (error) {
      if (!ProviderApiError.isInstance(error)) throw error;
      const details = (error as ProviderApiError).details;
      // Ambiguous: stay `submitting`, so the next attempt (or a resume) looks the batch up first.
      if (!details.ambiguous) store.markShardPlanned(shard.id, error.message);
      if (!details.retryable || attempt > context.maxCallRetries) throw error;
      await backoff(context, step, shard.id, 'submit', attempt, details.retryAfterMs, error.message);
    }
  }
}

/**
 * The budget guard: spent (ledger) + committed (estimates of shards submitted and not yet collected)
 * + this shard's estimate must stay within the budget. Synchronous up to markShardSubmitting, so two
 * shards driven concurrently cannot both pass on the same headroom.
 */
function checkBudget(context: DriveContext, shard: ShardRow): void {
  if (context.maxUsd === undefined) return;
  const shards = context.store.shardsOfRun(context.runId);
  const committedUsd = shards
    .filter((other) => other.id !== shard.id && ['submitting', 'submitted', 'ended', 'failed'].includes(other.status))
    .reduce((sum, other) => sum + (other.estimateUsd ?? 0), 0);
  const spentUsd = context.store.ledgerTotals(context.runId).costUsd;
  new BudgetGuard({ maxUsd: context.maxUsd, spentUsd, committedUsd, runId: context.runId }).commit(shard.estimateUsd ?? 0);
}

async function reconcile(context: DriveContext, shard: ShardRow, submission: ShardSubmission): Promise<BatchHandle | undefined> {
  if (!context.provider.findSubmitted) {
    throw new ShardSubmissionUnknownError(shard.id, context.provider.id);
  }
  // Every batch this state directory already attributes to a shard (any run) is ruled out.
  const knownBatchIds = context.store.knownBatchIds();
  return context.provider.findSubmitted({ ...submission, submittedAfter: shard.submittedAt ?? shard.createdAt, knownBatchIds });
}

async function pollShard(context: DriveContext, step: CompiledBatchStep, shard: ShardRow): Promise<ShardRow> {
  const { store, provider } = context;
  const handle = shard.handle as BatchHandle;
  let interval = context.pollIntervalMs.initial;
  let failures = 0;
  let lastKey = '';
  let cancelSent = false;
  for (;;) {
    // Cancelled: ask the provider to stop, then keep polling and collect whatever came back.
    if (!cancelSent && context.isCancelled()) {
      cancelSent = true;
      await provider.cancel(handle).catch(() => undefined);
    }
    let status: BatchStatus;
    try {
      status = await provider.poll(handle, context.signal ? { signal: context.signal } : {});
      failures = 0;
    } catch (error) {
      if (!ProviderApiError.isInstance(error) || !(error as ProviderApiError).details.retryable || ++failures > context.maxCallRetries) throw error;
      await backoff(context, step, shard.id, 'poll', failures, (error as ProviderApiError).details.retryAfterMs, error.message);
      continue;
    }
    failpoint('polling');
    const key = `${status.rawStatus}:${status.counts?.completed}:${status.counts?.failed}`;
    if (key !== lastKey) {
      lastKey = key;
      store.updateShardProgress(shard.id, status.rawStatus, status.counts);
      context.emit({
        type: 'shard-progress',
        step: step.step.name,
        shardId: shard.id,
        status: status.rawStatus,
        completed: status.counts?.completed ?? 0,
        failed: status.counts?.failed ?? 0,
        total: status.counts?.total ?? shard.requestCount,
      });
      interval = context.pollIntervalMs.initial;
    }
    if (status.state !== 'running') {
      const error = status.errors?.map((item) => `${item.code}: ${item.message}`).join('; ');
      store.markShardEnded(shard.id, status.state, status.rawStatus, error);
      context.emit({ type: 'shard-end', step: step.step.name, shardId: shard.id, status: status.rawStatus });
      return store.getShard(shard.id)!;
    }
    await sleep(interval, undefined, context.signal ? { signal: context.signal } : undefined);
    // Back off while nothing changes: batches take minutes to hours; polling fast wastes quota.
    interval = Math.min(context.pollIntervalMs.max, Math.ceil(interval * 1.5));
  }
}

async function backoff(
  context: DriveContext,
  step: CompiledBatchStep,
  shardId: string,
  operation: string,
  attempt: number,
  suggestedMs: number | undefined,
  message: string,
): Promise<void> {
  const delayMs = suggestedMs ?? Math.round(Math.random() * Math.min(60_000, context.pollIntervalMs.initial * 2 ** attempt));
  context.emit({ type: 'retry-wait', step: step.step.name, shardId, operation, delayMs, message });
  await sleep(delayMs, undefined, context.signal ? { signal: context.signal } : undefined);
}

// ── collect ──────────────────────────────────────────────────────────────────

/**
 * Results stored per transaction: large enough that commits are rare (re-collecting after a crash is
 * safe, so a big transaction loses nothing), and at least two per shard.
 */
function chunkSize(requestCount: number): number {
  return Math.max(1, Math.min(10_000, Math.ceil(requestCount / 2)));
}

export interface UsageTotals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
}

async function collectShard(context: DriveContext, step: CompiledBatchStep, shard: ShardRow): Promise<void> {
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
    const evaluation = evaluateResult(result, step.output, { capabilities: step.capabilities, mode: step.outputMode });
    const final = evaluation.outcome === 'valid' || !evaluation.retryable || request.attempts >= step.maxAttempts;
    saveOutcome(store, runId, step, shard, key, evaluation.outcome, final, {
      ...(evaluation.reason ? { reason: evaluation.reason } : {}),
      ...(evaluation.value ? { value: evaluation.value } : {}),
      ...(result.outcome === 'succeeded' && evaluation.outcome !== 'valid' ? { textExcerpt: result.text.slice(0, EXCERPT_CHARS) } : {}),
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

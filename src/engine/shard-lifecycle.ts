/**
 * The life of one shard, as one state machine:
 *
 *   planned ──submit──▶ submitting ──batch id saved──▶ submitted ──poll──▶ ended | failed ──collect──▶ collected
 *      ▲                    │                                │
 *      ├── definite rejection (4xx, 429: nothing was created)
 *      └──────────── failed because the provider's queue was full (requeued: same round, no attempt spent)
 *
 * Queue room. Before its create call a shard waits for room in its provider's queue (queue-gate.ts)
 * and holds it until its batch ends. A refusal for a full queue, at create (ProviderQueueFullError) or
 * as a failed batch (`failure: 'queue_full'`), sends the same shard again once the run's other work
 * in that queue has ended; the failed batch's id is kept aside (`requeued_batches`) so that a lookup
 * after a crash never adopts it.
 *
 * A shard never sent whose request and keys files were both lost is `retired` (restore-shard-files.ts)
 * and never driven again; its requests go into a new shard of the same round.
 *
 * Exactly-once submission. The shard is marked `submitting` before the create call and `submitted`
 * with the batch id right after. A shard found `submitting` (the process died in between, or the
 * create failed ambiguously) is looked up at the provider before anything is sent again:
 * - found: that batch is adopted; nothing is resubmitted.
 * - not found: the create never took effect (OpenAI: every batch we create carries our run and
 *   shard ids in its metadata, so a batch that exists is always found), and submitting is safe.
 *
 * Collecting: every result line is joined to its request by custom_id (`<shard id>-<line>`; results
 * come back in any order), judged, and written to the shard's answer files; lines that got no result
 * at all are `missing` and may be retried. The cache rows, the outcome of every line, the ledger entry
 * and the `collected` mark then commit in one transaction, so a crash before it means collecting
 * again from the start, and usage is never counted twice or lost.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProviderId } from '../domain.js';
import { BudgetGuard } from '../cost/budget.js';
import type { BatchHandle, BatchProvider, BatchStatus, ShardSubmission } from '../providers/batch-provider.js';
import { ProviderApiError, ProviderAuthError, ProviderQueueFullError } from '../providers/errors.js';
import type { RunStore, ShardRow } from '../store/run-store.js';
import { FINAL_OUTCOME_BIT, RESPONSE_OUTCOMES } from '../store/store-schema.js';
import type { CompiledBatchStep } from './compile-recipe.js';
import { QueueRefusedError, RunCancelledError, ShardResultsUnavailableError, ShardSubmissionUnknownError } from './errors.js';
import { CollectPool } from './collect-pool.js';
import { collectThreads, collectWorkerData, judgeOnThreads } from './judge-on-threads.js';
import { commitShard, forEachValidAnswer, type ShardCommit } from './shard-commit.js';
import { CollectedLines, ShardBook, type UsageTotals } from './shard-book.js';
import { ShardCommitThread } from './shard-commit-thread.js';
import { failpoint } from './failpoints.js';
import { judgeResult } from './judge-result.js';
import { lineCount, lineOfCustomId, readShardKeys, shardAnswersPath } from './shard-files.js';
import type { RunEventListener } from './run-events.js';
import { QueueGate } from './queue-gate.js';
import type { StepQueue } from './queue-limits.js';

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
  /** A shard's estimate from what this run's collected shards of its step used (shard-reestimate.ts); undefined: its planned estimate. */
  estimateShard?: (shard: ShardRow) => number | undefined;
  /** Room in the providers' queues, shared by the shards driven together; absent: each shard on its own. */
  queueGate?: QueueGate;
}

/**
 * Refusals for a full queue in a row while nothing else of the run was in that queue, after which the
 * run stops: waiting for the run's own work cannot help, so another job holds the queue or the shard
 * alone is over the real limit. With backoff doubling from the poll interval, that is about 20 minutes
 * online.
 */
const MAX_LONE_QUEUE_REFUSALS = 8;
/** Longest wait between two tries of a shard refused with nothing of the run in its queue. */
const MAX_QUEUE_BACKOFF_MS = 10 * 60_000;

/** What one drive of a shard remembers between its submits. */
interface DriveState {
  loneRefusals: number;
  /**
   * The provider refused the batch's input (`failure: 'input_rejected'`): its requests are final, not
   * retried. Known only in the process that saw the failure; a shard collected after a restart is
   * retried as before (a wasted attempt, never a lost one).
   */
  inputRejected?: boolean;
}

/**
 * Takes one recorded shard from wherever it stands towards `collected`, one transition at a time.
 * `until: 'ended'` stops once the provider has finished it (benchmarks collect separately).
 */
export async function driveShard(context: DriveContext, step: CompiledBatchStep, shardId: string, options: { until?: 'ended' | 'collected' } = {}): Promise<void> {
  const drive: DriveContext = context.queueGate ? context : { ...context, queueGate: new QueueGate() };
  const state: DriveState = { loneRefusals: 0 };
  try {
    for (;;) {
      let shard = drive.store.getShard(shardId)!;
      if (shard.status === 'collected' || shard.status === 'retired') return;
      if (shard.status === 'planned' || shard.status === 'submitting') shard = await submitShard(drive, step, shard, state);
      if (shard.status === 'submitted') shard = await pollShard(drive, step, shard, state);
      // Requeued: its batch was refused for a full queue.
      if (shard.status === 'planned') continue;
      if (options.until === 'ended') return;
      if (shard.status === 'ended' || shard.status === 'failed') await collectShard(drive, step, shard, false, state.inputRejected === true);
      return;
    }
  } finally {
    drive.queueGate!.release(shardId);
  }
}

/** What a shard counts for in its queue: its estimated input tokens (from its size when not recorded), or its requests. */
export function queueCost(queue: StepQueue, shard: ShardRow): number {
  if (queue.unit === 'requests') return shard.requestCount;
  return shard.inputTokens ?? Math.ceil(shard.bytes / 4);
}

/** Holds room for the shard in its queue, waiting (and saying so) while the run's work in flight leaves none. */
async function acquireRoom(context: DriveContext, step: CompiledBatchStep, shard: ShardRow): Promise<void> {
  if (!step.queue) return;
  await context.queueGate!.acquire(
    step.queue,
    shard.id,
    queueCost(step.queue, shard),
    (snapshot) => context.emit({ type: 'queue-wait', step: step.step.name, shardId: shard.id, ...snapshot }),
    context.signal,
  );
}

/**
 * After the provider refused the shard for a full queue (nothing was created, or the batch ran
 * nothing): the gate learns the room from what the run has in flight beside it, and the next
 * `acquireRoom` waits for that work to end. With nothing of the run in flight there is nothing to
 * wait for, so it backs off (the provider's retry-after when it gave one) and counts the refusal.
 */
async function afterQueueRefusal(context: DriveContext, step: CompiledBatchStep, shard: ShardRow, state: DriveState, refusal: { message: string; retryAfterMs?: number }): Promise<void> {
  const othersInFlight = step.queue ? context.queueGate!.refused(step.queue, shard.id) : 0;
  if (othersInFlight > 0) {
    state.loneRefusals = 0;
    if (refusal.retryAfterMs !== undefined) await backoff(context, step, shard.id, 'submit', 0, refusal.retryAfterMs, refusal.message);
    return;
  }
  if (++state.loneRefusals > MAX_LONE_QUEUE_REFUSALS) throw new QueueRefusedError(shard.id, step.queue?.name ?? shard.provider, state.loneRefusals - 1, refusal.message);
  const delayMs = refusal.retryAfterMs ?? Math.min(MAX_QUEUE_BACKOFF_MS, context.pollIntervalMs.initial * 2 ** state.loneRefusals);
  await backoff(context, step, shard.id, 'submit', state.loneRefusals, delayMs, refusal.message);
}

function submissionOf(context: DriveContext, shard: ShardRow): ShardSubmission {
  return {
    runId: context.runId,
    shardId: shard.id,
    model: shard.model,
    inputPath: shard.inputPath,
    requestCount: shard.requestCount,
    kind: shard.kind === 'embedding' ? 'embedding' : 'chat',
  };
}

async function submitShard(context: DriveContext, step: CompiledBatchStep, shard: ShardRow, state: DriveState): Promise<ShardRow> {
  const { store, provider } = context;
  const submission = submissionOf(context, shard);
  // Counts failed calls only: a refusal for a full queue is a wait, not a failure.
  let attempt = 0;
  for (;;) {
    if (context.isCancelled()) throw new RunCancelledError(context.runId);
    const current = store.getShard(shard.id)!;
    if (current.status === 'submitting' && (await adoptSubmitted(context, step, current))) return store.getShard(shard.id)!;
    await acquireRoom(context, step, current);
    if (context.isCancelled()) throw new RunCancelledError(context.runId);
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
      if (ProviderQueueFullError.isQueueFull(error)) {
        await afterQueueRefusal(context, step, current, state, { message: error.message, ...(details.retryAfterMs !== undefined ? { retryAfterMs: details.retryAfterMs } : {}) });
        continue;
      }
      if (!details.retryable || ++attempt > context.maxCallRetries) throw error;
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
    .reduce((sum, other) => sum + (context.estimateShard?.(other) ?? other.estimateUsd ?? 0), 0);
  const spentUsd = context.store.ledgerTotals(context.runId).costUsd;
  new BudgetGuard({ maxUsd: context.maxUsd, spentUsd, committedUsd, runId: context.runId }).commit(context.estimateShard?.(shard) ?? shard.estimateUsd ?? 0);
}

/**
 * Looks a `submitting` shard up at the provider; when its batch exists it is adopted (marked
 * `submitted` with that batch id) and true is returned.
 */
export async function adoptSubmitted(context: DriveContext, step: CompiledBatchStep, shard: ShardRow): Promise<boolean> {
  const found = await reconcile(context, shard, submissionOf(context, shard));
  if (!found) return false;
  context.store.markShardSubmitted(shard.id, found.batchId, found);
  // Already in the provider's queue: it holds room there whatever the gate thought.
  if (step.queue) context.queueGate?.hold(step.queue, shard.id, queueCost(step.queue, shard));
  context.emit({ type: 'shard-submit', step: step.step.name, shardId: shard.id, batchId: found.batchId, requests: shard.requestCount, reconciled: true });
  return true;
}

async function reconcile(context: DriveContext, shard: ShardRow, submission: ShardSubmission): Promise<BatchHandle | undefined> {
  if (!context.provider.findSubmitted) {
    throw new ShardSubmissionUnknownError(shard.id, context.provider.id);
  }
  // Every batch this state directory already attributes to a shard (any run) is ruled out.
  const knownBatchIds = context.store.knownBatchIds();
  return context.provider.findSubmitted(
    { ...submission, submittedAfter: shard.submittedAt ?? shard.createdAt, knownBatchIds },
    context.signal ? { signal: context.signal } : {},
  );
}

async function pollShard(context: DriveContext, step: CompiledBatchStep, shard: ShardRow, state: DriveState): Promise<ShardRow> {
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
      // Refused for a full queue after it was created: it ran nothing, so it goes back to planned (unless cancelled meanwhile).
      if (status.state === 'failed' && status.failure === 'queue_full' && !context.isCancelled()) return requeueShard(context, step, shard, state, error ?? status.rawStatus);
      context.queueGate?.release(shard.id);
      if (status.state === 'failed' && status.failure === 'input_rejected') state.inputRejected = true;
      store.markShardEnded(shard.id, status.state, status.rawStatus, error);
      context.emit({ type: 'shard-end', step: step.step.name, shardId: shard.id, status: status.rawStatus });
      return store.getShard(shard.id)!;
    }
    await sleep(interval, undefined, context.signal ? { signal: context.signal } : undefined);
    // Back off while nothing changes: batches take minutes to hours; polling fast wastes quota.
    interval = Math.min(context.pollIntervalMs.max, Math.ceil(interval * 1.5));
  }
}

async function requeueShard(context: DriveContext, step: CompiledBatchStep, shard: ShardRow, state: DriveState, message: string): Promise<ShardRow> {
  context.store.requeueShard(shard.id, shard.batchId!, message);
  failpoint('shard-requeued');
  context.emit({ type: 'shard-requeue', step: step.step.name, shardId: shard.id, batchId: shard.batchId!, message });
  await afterQueueRefusal(context, step, shard, state, { message });
  return context.store.getShard(shard.id)!;
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

export type { UsageTotals } from './shard-book.js';

/** Results judged between two crash points while collecting: at least two per shard. */
function chunkSize(requestCount: number): number {
  return Math.max(1, Math.min(10_000, Math.ceil(requestCount / 2)));
}

/**
 * Reads the shard's results once, joins each to its line by custom_id, judges it, and writes the
 * valid values to the shard's answers file and everything else to its invalid file (both under a
 * temporary name, renamed when complete). Then one transaction stores what the files say: a cache row
 * per valid answer (with its usage), the outcome byte of every line, the ledger entry, and the
 * `collected` mark. Nothing is stored before that commit, so a crash anywhere in between just means
 * collecting again from the start: usage is counted once, whatever happened.
 */
async function collectShard(context: DriveContext, step: CompiledBatchStep, shard: ShardRow, again = false, inputRejected = false): Promise<void> {
  const { store } = context;
  const keys = readShardKeys(shard.inputPath);
  const collected = new CollectedLines(shard, lineCount(keys), step.maxAttempts);
  // Collected before: whether its batch ran (ended) or not (failed) shows in the outcomes stored then.
  const storedOutcomes = again ? store.shardOutcomes(shard.id) : undefined;
  const ranNothing = storedOutcomes?.every((byte) => RESPONSE_OUTCOMES[byte & ~FINAL_OUTCOME_BIT] === 'missing');
  const download = again ? !ranNothing : shard.status === 'ended';
  const book = new ShardBook(shard, collected);
  if (download) book.tally.results = await takeResults(context, step, shard, again, book);
  // A failed batch ran nothing (and bills nothing): all of its requests are missing.
  const failed = again ? ranNothing && shard.error !== undefined : shard.status === 'failed';
  const reason = failed ? `the batch failed: ${shard.error ?? shard.rawStatus ?? 'unknown'}` : 'no result line for this request';
  const missing = await book.missing(reason, !(failed && inputRejected));
  await book.close(shard.inputPath);
  const { usage, tally } = book;
  if (again) {
    // Paid and counted when first collected: only where its answers now lie changes. A cache row a
    // later shard has taken over (a `--no-cache` run) stays with that shard.
    store.transaction(() => {
      forEachValidAnswer(collected.answers, keys, (key, answer) => {
        const current = store.responses.get(key);
        if (!current || current.shardSeq === shard.seq) store.responses.put(key, answer);
      });
      store.responses.mergeIfDue();
      store.markShardCollected(shard.id, collected.outcomes);
    });
    context.emit({ type: 'warning', message: `shard ${shard.id}: its answer files were missing; downloaded its results again (${tally.valid} valid, nothing sent or billed again)` });
    return;
  }
  const commit: ShardCommit = {
    shardId: shard.id,
    answers: collected.answers,
    outcomes: collected.outcomes,
    ledger: {
      runId: context.runId,
      stepIndex: shard.stepIndex,
      shardId: shard.id,
      ...(shard.batchId ? { batchId: shard.batchId } : {}),
      provider: shard.provider,
      model: shard.model,
      ...usage,
      ...(context.priceUsage ? context.priceUsage(shard.provider, shard.model, usage) : {}),
    },
  };
  await storeCollected(context, commit, keys, download && collectThreads(context.provider, step, shard) > 0);
  context.emit({ type: 'shard-collect', step: step.step.name, shardId: shard.id, results: tally.results, valid: tally.valid, invalid: tally.invalid, missing });
  // Stop at once: every other request would be refused the same way.
  if (book.refused) throw ProviderAuthError.fromResultError(shard.provider as ProviderId, book.refused, context.provider.capabilities.keyVariables);
}

/**
 * Stores the collected shard (shard-commit.ts): on the commit thread where its results were judged
 * on threads (the transaction is then off this thread too), else here. Nothing is stored on failure.
 */
async function storeCollected(context: DriveContext, commit: ShardCommit, keys: Buffer, threaded: boolean): Promise<void> {
  if (!threaded) return commitShard(context.store, commit, keys);
  const thread = ShardCommitThread.lease(context.store.stateDir);
  let failed = true;
  try {
    await thread.commit(commit, keys);
    failed = false;
  } finally {
    await thread.release({ failed });
  }
}

/**
 * Hands the shard's results to `take` in the order they arrive, judged on collect threads where the
 * provider and the step allow it (judge-on-threads.ts), else on this thread; ids that are not this
 * shard's, and repeated deliveries of a line, are skipped. Returns how many were taken.
 */
async function takeResults(
  context: DriveContext,
  step: CompiledBatchStep,
  shard: ShardRow,
  again: boolean,
  book: ShardBook,
): Promise<number> {
  const { collected } = book;
  const size = chunkSize(shard.requestCount);
  const options = context.signal ? { signal: context.signal } : {};
  let taken = 0;
  const workers = collectThreads(context.provider, step, shard);
  if (workers === 0) {
    const judging = { capabilities: step.capabilities, mode: step.outputMode };
    const results = context.provider.results(shard.handle as BatchHandle, options);
    for await (const result of again ? resultsOrExplain(results, shard) : results) {
      const line = lineOfCustomId(shard.id, result.customId, collected.lines);
      if (line === undefined || collected.seen(line)) continue;
      const pending = book.take(line, judgeResult(result, line, step.output, judging));
      if (pending) await pending;
      if (++taken % size === 0) failpoint('collecting');
    }
    return taken;
  }
  const pool = CollectPool.lease(workers, collectWorkerData(context.provider.resultDecoder!, step));
  let failed = true;
  try {
    const chunks = context.provider.resultChunks!(shard.handle as BatchHandle, options);
    const counts = (line: number): boolean => {
      if (collected.seen(line)) return false;
      if (++taken % size === 0) failpoint('collecting');
      return true;
    };
    await judgeOnThreads(again ? resultsOrExplain(chunks, shard) : chunks, { id: shard.id, lineCount: collected.lines }, pool, workers, (batch) => book.takeBatch(batch, counts));
    failed = false;
  } finally {
    await pool.release({ failed });
  }
  return taken;
}

/**
 * Collects a collected shard again, from the provider's results, because its answers or invalid file
 * is gone: the files and the cache rows pointing into them are written anew; the ledger is not
 * touched (usage was counted the first time) and nothing is submitted.
 */
export async function recollectShard(context: DriveContext, step: CompiledBatchStep, shard: ShardRow): Promise<void> {
  await collectShard(context, step, shard, true);
}

/** The results of a shard collected before; a provider that no longer has them is explained, not thrown raw. */
async function* resultsOrExplain<T>(results: AsyncIterable<T>, shard: ShardRow): AsyncIterable<T> {
  try {
    yield* results;
  } catch (error) {
    if (!ProviderApiError.isInstance(error)) throw error;
    throw new ShardResultsUnavailableError(shard.id, shard.provider, shard.batchId ?? '?', shardAnswersPath(shard.inputPath), error);
  }
}

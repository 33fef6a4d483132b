/**
 * A generate step: plan a round, drive its shards (several at once), and repeat for requests that
 * came back invalid and have attempts left; finally emit the valid samples as the step's output.
 */
import type { DataRecord } from '../domain.js';
import type { BatchProvider } from '../providers/batch-provider.js';
import type { CompiledBatchStep } from './compile-recipe.js';
import { RunCancelledError } from './errors.js';
import { driveShard, queueCost, type DriveContext } from './shard-lifecycle.js';
import { QueueGate } from './queue-gate.js';
import { emitSampleChunks, emitSamples } from './emit-samples.js';
import { failpoint } from './failpoints.js';
import { planRound, retryKeys } from './plan-round.js';
import { restoreShardFiles } from './restore-shard-files.js';
import { stepRejectsPath, writeRecords } from './stage-files.js';
import type { StageTap } from './stage-tap.js';
import { writeJudgedRecords } from './judge-records.js';
import type { StepCounts } from './run-report.js';
import type { RequestEstimator } from './step-pricing.js';

export interface GenerateContext extends Omit<DriveContext, 'provider'> {
  runDir: string;
  noCache: boolean;
  estimator: RequestEstimator;
  /** How many shards of a step are in flight at once. */
  maxConcurrentShards: number;
  /** Write the records a judge drops to its rejects file (`--keep-rejects`). */
  keepRejects?: boolean;
  /** Called once round 0 is planned, before any of its shards is driven (also when a run resumes). */
  beforeFirstRound?: () => void;
}

export async function runGenerateStep(
  context: GenerateContext,
  provider: BatchProvider,
  step: CompiledBatchStep,
  inputPath: string,
  outputPath: string,
  /** The reader of the step's output, already running (never with a judge: its records are read back first). */
  output?: StageTap,
): Promise<StepCounts> {
  // One gate for the step: every round's shards share the provider's queue, and what a refusal taught stays learnt.
  const driveContext: DriveContext = { ...context, provider, queueGate: new QueueGate() };
  const stepIndex = step.step.index;
  let sent = 0;
  // Files of this step's shards lost since the last process (deleted by hand) are recovered first.
  await restoreShardFiles({ ...driveContext, noCache: context.noCache }, step, inputPath);
  for (let round = 0; round < step.maxAttempts; round++) {
    if (context.isCancelled()) break;
    // Resume: a round whose shards were all recorded is not planned again, only driven.
    if (context.store.getRound(context.runId, stepIndex, round)?.status !== 'planned') {
      const retrying = round > 0 ? retryKeys(context.store, context.runId, stepIndex, round - 1) : undefined;
      if (retrying?.size === 0) break;
      const planContext = { runId: context.runId, runDir: context.runDir, store: context.store, noCache: context.noCache, estimator: context.estimator };
      const plan = await planRound(planContext, step, inputPath, round, retrying);
      context.emit({ type: 'plan', step: step.step.name, round, requests: plan.requests, cached: plan.cached, toSend: plan.toSend, shards: plan.shards });
    }
    if (round === 0) context.beforeFirstRound?.();
    await driveOpenShards(driveContext, step, context.maxConcurrentShards);
  }
  // What came back before a cancel is kept in the cache; the run stops here.
  if (context.isCancelled()) throw new RunCancelledError(context.runId);
  failpoint('shards-collected');
  for (const shard of context.store.shardsOfStep(context.runId, stepIndex)) if (shard.status !== 'retired') sent += shard.requestCount;
  const counts: StepCounts = { input: 0, output: 0, sent };
  // judge hook: scores and verdicts decide which records go on (judge-records.ts).
  if (step.kind === 'generate' && step.judge) {
    await writeJudgedRecords(outputPath, step.judge, parsedRecords(emitSamples(context, step, inputPath, counts)), counts, { stepRejectsPath: stepRejectsPath(inputPath, stepIndex), keepRemoved: Boolean(context.keepRejects) });
    return counts;
  }
  await writeRecords(outputPath, emitSampleChunks(context, step, inputPath, counts), output ? { tap: output } : {});
  return counts;
}

/**
 * Drives every shard of the step that is not collected yet, at most `limit` at a time. Shards already
 * at the provider (a resumed run) hold their room in the queue from the start and are driven first, so
 * a shard waiting for room never waits on one that no worker polls.
 */
async function driveOpenShards(context: DriveContext, step: CompiledBatchStep, limit: number): Promise<void> {
  const open = context.store.shardsOfStep(context.runId, step.step.index).filter((shard) => shard.status !== 'collected' && shard.status !== 'retired');
  const atProvider = open.filter((shard) => shard.status !== 'planned');
  if (step.queue) {
    for (const shard of atProvider) if (shard.status === 'submitting' || shard.status === 'submitted') context.queueGate?.hold(step.queue, shard.id, queueCost(step.queue, shard));
  }
  const queue = [...atProvider, ...open.filter((shard) => shard.status === 'planned')].map((shard) => shard.id);
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (queue.length > 0 && failure === undefined) {
      const shardId = queue.shift()!;
      try {
        await driveShard(context, step, shardId);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, queue.length)) }, worker));
  if (failure !== undefined) throw failure;
}

/** Emitted sample lines as records, for the stages that read their fields (a judge's verdicts). */
async function* parsedRecords(lines: AsyncIterable<string>): AsyncIterable<DataRecord> {
  for await (const line of lines) yield JSON.parse(line) as DataRecord;
}

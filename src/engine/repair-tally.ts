/**
 * How each valid sample of a generate step came to be, for the summary and the manifest: on the
 * first try, after a repair (its answer in the round before was not JSON, broke the schema or was
 * truncated, and the step repairs: repair-requests.ts), or after a plain retry (an error, an expired
 * batch, a missing line, a refusal, or any retry of a step with `repair: false`). Samples still
 * invalid are counted by reason from the step's invalid counts.
 *
 * Derived from this run's outcome bytes, in the order the shards were recorded (rounds ascending):
 * a key is repaired when a valid outcome follows a non-final repairable one. No file but the shards'
 * `.keys` is read, and only failures are held in memory. An answer another run left in the cache
 * counts by its attempt alone (first try, or after retry).
 */
import type { RunStore } from '../store/run-store.js';
import { FINAL_OUTCOME_BIT, RESPONSE_OUTCOMES, type ResponseOutcome } from '../store/store-schema.js';
import type { CompiledBatchStep } from './compile-recipe.js';
import { REPAIRED_OUTCOMES, stepRepairs } from './repair-requests.js';
import type { RepairCounts, StepCounts } from './run-report.js';
import { keyAt, readShardKeys } from './shard-files.js';

/** A tally's counts of some valid samples (`take`), to `add` to another. */
export interface RepairDelta {
  firstTry: number;
  afterRetry: number;
  afterRepair: Partial<Record<ResponseOutcome, number>>;
}

export class RepairTally {
  private firstTry = 0;
  private afterRetry = 0;
  private afterRepair: Partial<Record<ResponseOutcome, number>> = {};

  constructor(
    /** Cache key → the outcome its repair fixed; none for a tally that only sums batches' (`add`). */
    private readonly repaired: Map<string, ResponseOutcome> = new Map(),
  ) {}

  /** The tally of a generate step of this run; undefined for an embed step (nothing to repair there). */
  static ofRun(store: RunStore, runId: string, step: CompiledBatchStep): RepairTally | undefined {
    return step.kind === 'generate' ? RepairTally.ofShards(store, runId, step.step.index, stepRepairs(step)) : undefined;
  }

  /** The tally of a generate step from its shards' outcomes; `repairs`: whether the step repairs (stepRepairs). */
  static ofShards(store: RunStore, runId: string, stepIndex: number, repairs: boolean): RepairTally {
    const repaired = new Map<string, ResponseOutcome>();
    if (!repairs) return new RepairTally(repaired);
    const repairable = new Map<string, ResponseOutcome>();
    for (const shard of store.shardsOfStep(runId, stepIndex)) {
      const outcomes = store.shardOutcomes(shard.id);
      if (!outcomes) continue;
      // A first round's all-valid shard repaired nothing and leaves nothing to repair.
      if (shard.round === 0 && outcomes.every((byte) => RESPONSE_OUTCOMES[byte & ~FINAL_OUTCOME_BIT] === 'valid')) continue;
      const keys = readShardKeys(shard.inputPath);
      outcomes.forEach((byte, line) => {
        const outcome = RESPONSE_OUTCOMES[byte & ~FINAL_OUTCOME_BIT]!;
        const key = keyAt(keys, line);
        if (outcome === 'valid') {
          const fixed = repairable.get(key);
          if (fixed) repaired.set(key, fixed);
          repairable.delete(key);
        } else if ((byte & FINAL_OUTCOME_BIT) === 0 && REPAIRED_OUTCOMES.has(outcome)) repairable.set(key, outcome);
        else repairable.delete(key);
      });
    }
    return new RepairTally(repaired);
  }

  /** Counts one valid sample: its request key and the attempt its answer came on. */
  valid(key: string, attempt: number): void {
    const fixed = this.repaired.get(key.slice(0, 32));
    if (fixed) this.afterRepair[fixed] = (this.afterRepair[fixed] ?? 0) + 1;
    else if (attempt > 1) this.afterRetry++;
    else this.firstTry++;
  }

  /**
   * What this tally counted since the last `take` (the valid samples of one of the emit pool's
   * batches), and starts again from zero.
   */
  take(): RepairDelta {
    const delta = { firstTry: this.firstTry, afterRetry: this.afterRetry, afterRepair: this.afterRepair };
    this.firstTry = 0;
    this.afterRetry = 0;
    this.afterRepair = {};
    return delta;
  }

  /**
   * Adds a batch's `take`, batches in input order: a reason new to this tally is added in the order
   * the batch met it, so `by_reason` lists its reasons as counting each sample here would have.
   */
  add(delta: RepairDelta): void {
    this.firstTry += delta.firstTry;
    this.afterRetry += delta.afterRetry;
    for (const [reason, count] of Object.entries(delta.afterRepair) as [ResponseOutcome, number][]) this.afterRepair[reason] = (this.afterRepair[reason] ?? 0) + count;
  }

  /** Writes `counts.repair`, with the samples still invalid taken from `counts.invalid`. */
  writeTo(counts: StepCounts): void {
    const stillInvalid: RepairCounts['still_invalid'] = { total: 0, by_reason: {} };
    for (const [reason, entry] of Object.entries(counts.invalid ?? {}) as [ResponseOutcome, { count: number } | undefined][]) {
      if (!entry) continue;
      stillInvalid.by_reason[reason] = entry.count;
      stillInvalid.total += entry.count;
    }
    counts.repair = {
      valid_first_try: this.firstTry,
      valid_after_repair: { total: Object.values(this.afterRepair).reduce((sum, count) => sum + count, 0), by_reason: { ...this.afterRepair } },
      valid_after_retry: this.afterRetry,
      still_invalid: stillInvalid,
    };
  }
}

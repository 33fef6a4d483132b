/**
 * The spend cap of a run (`budget: { max_usd }`). Money is tracked in two parts:
 * - spent: the settled cost of finished shards (from reported usage);
 * - committed: the estimates of shards submitted and not yet settled.
 * A shard may be submitted only if spent + committed + its estimate stays within the budget, so the
 * cap holds even while many batches run at once. When a shard finishes, `settle` swaps its estimate
 * for its actual cost. A resumed run rebuilds the guard from the ledger in the store.
 */
import { BudgetExceededError, describeBudgetShortfall } from './errors.js';

export type BudgetDecision = { ok: true } | { ok: false; message: string };

export interface BudgetGuardOptions {
  maxUsd: number;
  spentUsd?: number;
  committedUsd?: number;
  /** Named in the message so the user can paste the resume command. */
  runId?: string;
}

/** Float sums of many small costs drift by far less than this; a shard never costs less. */
const TOLERANCE_USD = 1e-9;

export class BudgetGuard {
  readonly maxUsd: number;
  readonly #runId: string | undefined;
  #spentUsd: number;
  #committedUsd: number;

  constructor(options: BudgetGuardOptions) {
    const { maxUsd, spentUsd = 0, committedUsd = 0 } = options;
    // maxUsd may be Infinity (no cap); what was spent or committed is always a finite amount.
    if (Number.isNaN(maxUsd) || maxUsd < 0) throw new RangeError(`BudgetGuard: maxUsd must be a number >= 0, got ${maxUsd}`);
    checkAmount('spentUsd', spentUsd);
    checkAmount('committedUsd', committedUsd);
    this.maxUsd = maxUsd;
    this.#spentUsd = spentUsd;
    this.#committedUsd = committedUsd;
    this.#runId = options.runId;
  }

  get spentUsd(): number {
    return this.#spentUsd;
  }

  get committedUsd(): number {
    return this.#committedUsd;
  }

  /** What is left for new shards (never negative, even after an overrun). */
  get remainingUsd(): number {
    return Math.max(0, this.maxUsd - this.#spentUsd - this.#committedUsd);
  }

  canCommit(estimateUsd: number): BudgetDecision {
    checkAmount('estimateUsd', estimateUsd);
    if (this.#spentUsd + this.#committedUsd + estimateUsd <= this.maxUsd + TOLERANCE_USD) return { ok: true };
    return { ok: false, message: describeBudgetShortfall(this.#state(estimateUsd)) };
  }

  /** Reserves a shard's estimate; throws `BudgetExceededError` if it does not fit. */
  commit(estimateUsd: number): void {
    if (!this.canCommit(estimateUsd).ok) throw new BudgetExceededError(this.#state(estimateUsd));
    this.#committedUsd += estimateUsd;
  }

  /** A committed shard finished: release its estimate and record what it actually cost. */
  settle(estimateUsd: number, actualUsd: number): void {
    checkAmount('estimateUsd', estimateUsd);
    checkAmount('actualUsd', actualUsd);
    if (estimateUsd > this.#committedUsd + TOLERANCE_USD) {
      throw new RangeError(`BudgetGuard.settle: estimate ${estimateUsd} exceeds the committed ${this.#committedUsd}; was it settled twice?`);
    }
    const stillCommitted = this.#committedUsd - estimateUsd;
    this.#committedUsd = stillCommitted < TOLERANCE_USD ? 0 : stillCommitted;
    this.#spentUsd += actualUsd;
  }

  #state(estimateUsd: number) {
    return {
      maxUsd: this.maxUsd,
      spentUsd: this.#spentUsd,
      committedUsd: this.#committedUsd,
      estimateUsd,
      ...(this.#runId === undefined ? {} : { runId: this.#runId }),
    };
  }
}

function checkAmount(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`BudgetGuard: ${name} must be a finite number >= 0, got ${value}`);
}

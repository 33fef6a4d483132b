import { SynthforgeError, UsageError } from '../errors.js';
import { formatUsd } from './cost.js';

export type BudgetState = {
  maxUsd: number;
  spentUsd: number;
  committedUsd: number;
  /** The estimate of the shard that did not fit. */
  estimateUsd: number;
  runId?: string;
};

/**
 * Submitting the next shard would take the run over `budget.max_usd`. Exit code `budget`: nothing is
 * wrong with the recipe or the tool; the run stopped on purpose and resumes once the budget is raised.
 */
export class BudgetExceededError extends SynthforgeError {
  constructor(readonly state: BudgetState) {
    super('budget_exceeded', describeBudgetShortfall(state), { exit: 'budget', details: state });
    this.name = 'BudgetExceededError';
  }
}

/** The message for a shard that does not fit: every figure, and how to go on. */
export function describeBudgetShortfall(state: BudgetState): string {
  const left = Math.max(0, state.maxUsd - state.spentUsd - state.committedUsd);
  // Rounded up to the cent; the small slack keeps float noise (20.270000000000003) from adding one.
  const needed = state.spentUsd + state.committedUsd + state.estimateUsd;
  const resume = state.runId === undefined ? 'synthforge resume <run-id>' : `synthforge resume ${state.runId}`;
  return (
    `budget exceeded: the next shard is estimated at ${formatUsd(state.estimateUsd)}, but budget.max_usd is ` +
    `${formatUsd(state.maxUsd)}, with ${formatUsd(state.spentUsd)} spent and ${formatUsd(state.committedUsd)} committed to ` +
    `batches still running (${formatUsd(left)} left). To continue, raise budget.max_usd in the recipe to at least ` +
    `${formatUsd(Math.ceil(needed * 100 - 1e-6) / 100)} and run \`${resume}\`.`
  );
}

/** A step's model has no known price and the recipe gives none: cost cannot be estimated or capped. */
export class MissingPriceError extends UsageError {
  constructor(readonly models: readonly string[]) {
    const example = models[0] ?? 'openai/my-model';
    super(
      'price_unknown',
      `no price known for ${models.join(', ')}; pass prices in the recipe (USD per million tokens), e.g.\n` +
        `prices:\n  "${example}": { input: 0.15, output: 0.60 }`,
      { details: { models } },
    );
    this.name = 'MissingPriceError';
  }
}

/** Errors of `synthforge preview`, each a condition the user can change. */
import { SynthforgeError, UsageError } from '../errors.js';
import { formatUsd } from '../cost/cost.js';

/** The preview's estimate at synchronous prices does not fit `budget.max_usd`: nothing was sent. */
export class PreviewBudgetError extends SynthforgeError {
  constructor(details: { estimateUsd: number; maxUsd: number; records: number; where: string }) {
    super(
      'budget_exceeded',
      `${details.where}: budget.max_usd is ${formatUsd(details.maxUsd)}, but previewing ${details.records} record(s) is estimated at ` +
        `${formatUsd(details.estimateUsd)} at synchronous prices; nothing was sent. Preview fewer records (-n) or raise budget.max_usd.`,
      { exit: 'budget', details },
    );
    this.name = 'PreviewBudgetError';
  }
}

/** The preview spent its budget while running: it stopped before the next call (what came back is kept). */
export class PreviewBudgetSpentError extends SynthforgeError {
  constructor(details: { spentUsd: number; maxUsd: number; where: string }) {
    super(
      'budget_exceeded',
      `${details.where}: the preview has spent ${formatUsd(details.spentUsd)}, reaching budget.max_usd ${formatUsd(details.maxUsd)}; ` +
        'it stopped before the next call. The answers so far are cached.',
      { exit: 'budget', details },
    );
    this.name = 'PreviewBudgetSpentError';
  }
}

/** A step's provider has no synchronous API the preview can use. */
export class PreviewUnsupportedError extends UsageError {
  constructor(provider: string, step: string) {
    super('preview_unsupported', `step "${step}": provider ${provider} has no synchronous API to preview with`, { details: { provider, step } });
    this.name = 'PreviewUnsupportedError';
  }
}

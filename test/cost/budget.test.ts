import { describe, expect, it } from 'vitest';
import { BudgetGuard } from '../../src/cost/budget.js';
import { BudgetExceededError, MissingPriceError } from '../../src/cost/errors.js';
import { SynthforgeError } from '../../src/errors.js';

describe('BudgetGuard', () => {
  it('allows a shard while spent + committed + estimate stays within the budget', () => {
    const guard = new BudgetGuard({ maxUsd: 10, spentUsd: 4, committedUsd: 3 });
    expect(guard.canCommit(3)).toEqual({ ok: true });
    expect(guard.canCommit(3.01).ok).toBe(false);
    expect(guard.remainingUsd).toBe(3);
  });

  it('explains a refusal: budget, spent, committed, the estimate, and how to continue', () => {
    const guard = new BudgetGuard({ maxUsd: 20, spentUsd: 18.1, committedUsd: 1.75, runId: 'run-7f3a' });
    const decision = guard.canCommit(0.42);
    expect(decision.ok).toBe(false);
    const message = decision.ok ? '' : decision.message;
    expect(message).toContain('$0.4200');
    expect(message).toContain('budget.max_usd is $20.00');
    expect(message).toContain('$18.10 spent');
    expect(message).toContain('$1.75 committed');
    expect(message).toContain('($0.1500 left)');
    expect(message).toContain('raise budget.max_usd in the recipe to at least $20.27');
    expect(message).toContain('synthforge resume run-7f3a');
  });

  it('commit reserves the estimate, and throws BudgetExceededError when it does not fit', () => {
    const guard = new BudgetGuard({ maxUsd: 1 });
    guard.commit(0.6);
    expect(guard.committedUsd).toBe(0.6);
    let caught: unknown;
    try {
      guard.commit(0.5);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BudgetExceededError);
    expect(SynthforgeError.isInstance(caught)).toBe(true);
    const error = caught as BudgetExceededError;
    expect(error.code).toBe('budget_exceeded');
    expect(error.exitCode).toBe(3);
    expect(error.details).toEqual({ maxUsd: 1, spentUsd: 0, committedUsd: 0.6, estimateUsd: 0.5 });
    expect(error.message).toContain('synthforge resume <run-id>');
    expect(guard.committedUsd).toBe(0.6);
  });

  it('settle swaps the estimate for the actual cost', () => {
    const guard = new BudgetGuard({ maxUsd: 1 });
    guard.commit(0.6);
    guard.settle(0.6, 0.45);
    expect(guard.committedUsd).toBe(0);
    expect(guard.spentUsd).toBe(0.45);
    expect(guard.canCommit(0.55).ok).toBe(true);
    expect(guard.canCommit(0.56).ok).toBe(false);
  });

  it('keeps refusing after an actual cost overran the budget', () => {
    const guard = new BudgetGuard({ maxUsd: 1 });
    guard.commit(0.9);
    guard.settle(0.9, 1.2);
    expect(guard.remainingUsd).toBe(0);
    expect(guard.canCommit(0).ok).toBe(false);
  });

  it('tolerates float drift from many small commits', () => {
    const guard = new BudgetGuard({ maxUsd: 0.3 });
    guard.commit(0.1);
    guard.commit(0.1);
    expect(guard.canCommit(0.1).ok).toBe(true);
    guard.commit(0.1);
    for (let index = 0; index < 3; index++) guard.settle(0.1, 0.1);
    expect(guard.committedUsd).toBe(0);
  });

  it('rejects a settle larger than what was committed', () => {
    const guard = new BudgetGuard({ maxUsd: 1 });
    guard.commit(0.2);
    guard.settle(0.2, 0.2);
    expect(() => guard.settle(0.2, 0.2)).toThrow(/settled twice/);
  });

  it('rejects negative or non-numeric amounts', () => {
    expect(() => new BudgetGuard({ maxUsd: -1 })).toThrow(RangeError);
    expect(() => new BudgetGuard({ maxUsd: Number.NaN })).toThrow(RangeError);
    expect(() => new BudgetGuard({ maxUsd: 1 }).canCommit(-0.1)).toThrow(RangeError);
    expect(() => new BudgetGuard({ maxUsd: 1 }).canCommit(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('an infinite budget never refuses', () => {
    const guard = new BudgetGuard({ maxUsd: Number.POSITIVE_INFINITY, spentUsd: 1e9 });
    expect(guard.canCommit(1e9).ok).toBe(true);
  });
});

describe('MissingPriceError', () => {
  it('names the models and shows how to pass prices', () => {
    const error = new MissingPriceError(['openai/gpt-unknown']);
    expect(error.code).toBe('price_unknown');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('no price known for openai/gpt-unknown');
    expect(error.message).toContain('"openai/gpt-unknown": { input: 0.15, output: 0.60 }');
  });
});

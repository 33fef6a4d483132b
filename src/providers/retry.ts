import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderApiError } from './errors.js';

export interface RetryOptions {
  /** Total attempts including the first. */
  attempts: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
}

/**
 * Repeats an idempotent provider call on retryable failures, with full-jitter exponential backoff
 * (a fleet of clients that failed together does not retry together) and the server's Retry-After
 * when it sent one. Never use it for a call that is not idempotent (batch create).
 */
export async function withRetries<T>(run: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (error) {
      const retryable = ProviderApiError.isInstance(error) && (error as ProviderApiError).details.retryable;
      if (!retryable || attempt >= options.attempts || options.signal?.aborted) throw error;
      const suggested = (error as ProviderApiError).details.retryAfterMs;
      const backoff = Math.random() * Math.min(cap, base * 2 ** (attempt - 1));
      await sleep(suggested ?? backoff, undefined, options.signal ? { signal: options.signal } : undefined);
    }
  }
}

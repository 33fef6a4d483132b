/**
 * What every adapter's `callSync` shares: retry the retryable failures of one synchronous call, throw a
 * refused key (every other request would be refused alike), and turn any other provider error into an
 * `errored` result, as a batch reports a failed line, so the caller judges both the same way.
 */
import type { BatchItemResult } from './batch-provider.js';
import { PROVIDER_AUTH_CODE, ProviderApiError } from './errors.js';
import { withRetries } from './retry.js';

export interface SyncCallOptions {
  customId: string;
  /** Total attempts on 429, 5xx and connection errors. */
  attempts?: number;
  baseDelayMs?: number;
  signal?: AbortSignal;
}

/** `call` must throw ProviderApiError (the adapter's own mapping of SDK errors) on failure. */
export async function syncCallResult(options: SyncCallOptions, call: () => Promise<BatchItemResult>): Promise<BatchItemResult> {
  try {
    return await withRetries(call, {
      attempts: options.attempts ?? 4,
      ...(options.baseDelayMs !== undefined ? { baseDelayMs: options.baseDelayMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (!ProviderApiError.isInstance(error) || error.code === PROVIDER_AUTH_CODE) throw error;
    const details = (error as ProviderApiError).details;
    return {
      customId: options.customId,
      outcome: 'errored',
      error: {
        code: details.providerCode ?? `http_${details.statusCode ?? 'none'}`,
        message: error.message,
        ...(details.statusCode ? { status: details.statusCode } : {}),
        retryable: details.retryable,
      },
    };
  }
}

/** The parsed shard line, or a coded error: a line this process wrote with `encodeRequest`. */
export function parseRequestLine<T>(line: string): T {
  return JSON.parse(line) as T;
}

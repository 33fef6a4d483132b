import type { ProviderId } from '../domain.js';
import { SynthforgeError, UsageError } from '../errors.js';

export interface ProviderApiErrorDetails {
  provider: ProviderId;
  /** What we were doing: `upload`, `create`, `retrieve`, `results`, `cancel`, `list`. */
  operation: string;
  statusCode?: number;
  providerCode?: string;
  requestId?: string;
  /** Sending the same call again later may succeed (429, 5xx, connection errors). */
  retryable: boolean;
  /**
   * The call may have taken effect although it failed (a create that timed out or got a 5xx may
   * still have created a batch). The engine must reconcile before repeating such a call.
   */
  ambiguous: boolean;
  /** Server-suggested wait before retrying, in ms. */
  retryAfterMs?: number;
}

/** A provider call failed. Holds status and ids, never the API key or the request body. */
export class ProviderApiError extends SynthforgeError {
  declare readonly details: ProviderApiErrorDetails & Record<string, unknown>;

  constructor(message: string, details: ProviderApiErrorDetails, options: { cause?: unknown } = {}) {
    super('provider_api', message, { details: { ...details }, ...options });
    this.name = 'ProviderApiError';
  }
}

/** No API key for a provider the recipe uses, and not running --offline. */
export class MissingCredentialsError extends UsageError {
  constructor(provider: ProviderId, variables: string[]) {
    const names = variables.join(' or ');
    super(
      'missing_credentials',
      `no API key for ${provider}: set ${names} in the environment, or run with --offline to use the built-in emulator`,
      { details: { provider, variables } },
    );
    this.name = 'MissingCredentialsError';
  }
}

/** Wraps an SDK error (status, headers, code) into a ProviderApiError; secrets never included. */
export function toProviderApiError(provider: ProviderId, operation: string, error: unknown, options: { mutating: boolean }): ProviderApiError {
  const sdkError = error as {
    status?: number;
    code?: string | null;
    type?: string | null;
    requestID?: string | null;
    headers?: Headers | Record<string, string>;
    message?: string;
    name?: string;
  };
  const status = typeof sdkError.status === 'number' ? sdkError.status : undefined;
  const noResponse = status === undefined;
  const retryable = noResponse || status === 408 || status === 409 || status === 429 || status >= 500;
  const retryAfterMs = readRetryAfter(sdkError.headers);
  const providerCode = sdkError.code ?? sdkError.type ?? undefined;
  const summary = (sdkError.message ?? String(error)).split('\n')[0]!.slice(0, 300);
  return new ProviderApiError(
    `${provider} ${operation} failed${status ? ` (HTTP ${status})` : ''}: ${summary}`,
    {
      provider,
      operation,
      ...(status !== undefined ? { statusCode: status } : {}),
      ...(providerCode ? { providerCode } : {}),
      ...(sdkError.requestID ? { requestId: sdkError.requestID } : {}),
      retryable,
      // A mutating call without a response, or with a 5xx, may have been applied by the server.
      ambiguous: options.mutating && (noResponse || status >= 500),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    },
    { cause: error },
  );
}

function readRetryAfter(headers: Headers | Record<string, string> | undefined): number | undefined {
  if (!headers) return undefined;
  const get = (name: string): string | null | undefined =>
    typeof (headers as Headers).get === 'function' ? (headers as Headers).get(name) : (headers as Record<string, string>)[name];
  const ms = Number(get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const seconds = Number(get('retry-after'));
  if (Number.isFinite(seconds) && seconds > 0) return seconds * 1000;
  return undefined;
}

import type { ProviderId } from '../domain.js';
import { SynthforgeError, UsageError, type ExitKind } from '../errors.js';
import type { ProviderErrorInfo } from './batch-provider.js';

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

  constructor(message: string, details: ProviderApiErrorDetails, options: { cause?: unknown; code?: string; exit?: ExitKind } = {}) {
    const { code = 'provider_api', exit = 'failed', cause } = options;
    super(code, message, { details: { ...details }, exit, ...(cause === undefined ? {} : { cause }) });
    this.name = 'ProviderApiError';
  }
}

/**
 * The code of a provider's refusal of our credentials: `ProviderAuthError.code`, and `error.code` of a
 * result line the provider failed with 401/403 (or its authentication/permission error type).
 */
export const PROVIDER_AUTH_CODE = 'provider_auth';

/**
 * The provider refused the API key (401) or what the key may do (403). Sending anything again with the
 * same key fails the same way, so it is never retryable and the run should stop at once; the message
 * names the environment variable to check. Exit code `usage`: like a missing key, the fix is outside
 * the run.
 */
export class ProviderAuthError extends ProviderApiError {
  constructor(message: string, details: ProviderApiErrorDetails & { variables: readonly string[] }, options: { cause?: unknown } = {}) {
    super(message, { ...details, retryable: false, ambiguous: false }, { ...options, code: PROVIDER_AUTH_CODE, exit: 'usage' });
    this.name = 'ProviderAuthError';
  }

  /**
   * The error a run stops with when result lines came back with `PROVIDER_AUTH_CODE` (a batch was
   * accepted but its requests were refused): the first such line's error.
   */
  static fromResultError(provider: ProviderId, error: ProviderErrorInfo, variables: readonly string[]): ProviderAuthError {
    return new ProviderAuthError(`${provider} refused the requests of a batch: ${error.message}${keyHint(variables)}`, {
      provider,
      operation: 'results',
      ...(error.status !== undefined ? { statusCode: error.status } : {}),
      variables: [...variables],
      retryable: false,
      ambiguous: false,
    });
  }
}

/** The code of ProviderQueueFullError. */
export const PROVIDER_QUEUE_FULL_CODE = 'provider_queue_full';

/**
 * The provider refused to create a batch because its queue (or its create rate) is full: HTTP 429 on
 * create from any provider, and what an adapter adds (Anthropic's 529 overloaded_error). Nothing was
 * created, so the engine sends the same shard again after a wait (`retryAfterMs` when the provider
 * said how long), and it costs the shard no attempt.
 */
export class ProviderQueueFullError extends ProviderApiError {
  constructor(message: string, details: Omit<ProviderApiErrorDetails, 'retryable' | 'ambiguous'>, options: { cause?: unknown } = {}) {
    super(message, { ...details, retryable: true, ambiguous: false }, { ...options, code: PROVIDER_QUEUE_FULL_CODE });
    this.name = 'ProviderQueueFullError';
  }

  static isQueueFull(error: unknown): error is ProviderQueueFullError {
    return SynthforgeError.isInstance(error) && (error as SynthforgeError).code === PROVIDER_QUEUE_FULL_CODE;
  }
}

/** Whether an HTTP status (or a provider's error type) says the credentials were refused. */
export function isAuthStatus(status: number | undefined): boolean {
  return status === 401 || status === 403;
}

/** `; check OPENAI_API_KEY` (or the variables a provider reads its key from), or nothing when none is known. */
export function keyHint(variables: readonly string[]): string {
  return variables.length === 0 ? '' : `; check the key in ${variables.join(' or ')}`;
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

/**
 * Wraps an SDK error (status, headers, code) into a ProviderApiError, or a ProviderAuthError for a 401/403
 * (naming `keyVariables`, the variables the key came from). The message quotes the first line of what the
 * server said, which may echo the key: adapters are wrapped by `withSecretRedaction`, which redacts it.
 */
export function toProviderApiError(
  provider: ProviderId,
  operation: string,
  error: unknown,
  options: {
    mutating: boolean;
    keyVariables?: readonly string[];
    /** Statuses besides 429 that mean "queue full, nothing created" on a create (Anthropic: 529). */
    queueFullStatuses?: readonly number[];
  },
): ProviderApiError {
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
  if (isAuthStatus(status)) {
    const what = status === 401 ? 'refused the API key' : 'denied permission';
    return new ProviderAuthError(
      `${provider} ${what} (HTTP ${status} on ${operation}): ${summary}${keyHint(options.keyVariables ?? [])}`,
      {
        provider,
        operation,
        statusCode: status!,
        ...(providerCode ? { providerCode } : {}),
        ...(sdkError.requestID ? { requestId: sdkError.requestID } : {}),
        variables: [...(options.keyVariables ?? [])],
        retryable: false,
        ambiguous: false,
      },
      { cause: error },
    );
  }
  if (operation === 'create' && status !== undefined && (status === 429 || options.queueFullStatuses?.includes(status))) {
    return new ProviderQueueFullError(
      `${provider} refused a new batch for now (HTTP ${status} on create): ${summary}`,
      {
        provider,
        operation,
        statusCode: status,
        ...(providerCode ? { providerCode } : {}),
        ...(sdkError.requestID ? { requestId: sdkError.requestID } : {}),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      },
      { cause: error },
    );
  }
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

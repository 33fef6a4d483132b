/**
 * Google API errors as the Gemini API sends them: HTTP status plus
 * `{"error": {"code": <http status>, "message", "status": "INVALID_ARGUMENT", "details"?}}`, and
 * google.rpc.Status bodies (`{"code": <gRPC code>, "message"}`) for failed lines inside a batch.
 * Handlers throw EmulatorHttpError with `type` holding the status word; the Gemini router renders it.
 */
import type { ServerResponse } from 'node:http';
import { lineErrorKind } from '../core/credential-faults.js';
import { takeCreateErrorStatus, takeListErrorStatus } from '../core/fault-decisions.js';
import { EmulatorHttpError, sendJson, type ApiErrorFields } from '../core/http-io.js';
import type { GeminiContext } from './gemini-context.js';

export type GoogleStatus =
  | 'INVALID_ARGUMENT' | 'FAILED_PRECONDITION' | 'NOT_FOUND' | 'PERMISSION_DENIED' | 'UNAUTHENTICATED'
  | 'RESOURCE_EXHAUSTED' | 'INTERNAL' | 'UNAVAILABLE' | 'DEADLINE_EXCEEDED' | 'UNKNOWN';

/** gRPC codes, for google.rpc.Status inside batch output. */
export const GRPC_CODES: Readonly<Record<GoogleStatus, number>> = {
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
};

const STATUS_BY_HTTP: Readonly<Record<number, GoogleStatus>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export function googleError(status: number, type: GoogleStatus, message: string, headers: Record<string, string> = {}): EmulatorHttpError {
  return new EmulatorHttpError({ status, type, message, headers });
}

export const invalidArgument = (message: string): EmulatorHttpError => googleError(400, 'INVALID_ARGUMENT', message);

export function sendGoogleError(response: ServerResponse, error: ApiErrorFields): void {
  const details =
    error.type === 'RESOURCE_EXHAUSTED'
      ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0.010s' }]
      : undefined;
  sendJson(
    response,
    error.status,
    { error: { code: error.status, message: error.message, status: error.type, ...(details ? { details } : {}) } },
    error.headers ?? {},
  );
}

/** The `createErrors` fault for Gemini creates: one listed status per call, counted like the others. */
export function takeGeminiCreateError(context: GeminiContext): EmulatorHttpError | null {
  const status = takeCreateErrorStatus(context.faults, context.stats.faultsInjected);
  if (status === undefined) return null;
  const type = STATUS_BY_HTTP[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
  const message =
    type === 'RESOURCE_EXHAUSTED'
      ? 'You exceeded your current quota for batch requests. Please retry later. (injected)'
      : `Injected HTTP ${status} (${type}).`;
  return googleError(status, type, message);
}

/** A failed line's `error` in a batch output (google.rpc.Status). */
export function lineStatus(type: GoogleStatus, message: string): { code: number; message: string } {
  return { code: GRPC_CODES[type], message };
}

/** The `listErrors` fault for Gemini lists (the SDK does not retry them, so the header is only for symmetry). */
export function takeGeminiListError(context: GeminiContext): EmulatorHttpError | null {
  const status = takeListErrorStatus(context.faults, context.stats.faultsInjected);
  if (status === undefined) return null;
  const type = STATUS_BY_HTTP[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
  return googleError(status, type, `Injected HTTP ${status} (${type}).`, { 'retry-after-ms': '10' });
}

/** The status word of a line failed by the `lineErrorRate` fault, from `lineErrorStatus`. */
export function lineErrorType(status: number): GoogleStatus {
  const kind = lineErrorKind(status);
  if (kind === 'auth') return 'UNAUTHENTICATED';
  if (kind === 'permission') return 'PERMISSION_DENIED';
  return STATUS_BY_HTTP[status] ?? (kind === 'invalid' ? 'INVALID_ARGUMENT' : 'INTERNAL');
}

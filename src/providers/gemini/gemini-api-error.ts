/**
 * The `@google/genai` SDK throws `ApiError { status, message }` whose message is the whole JSON error
 * body (`{"error": {"code", "message", "status", "details"}}`) and keeps no headers. This reads the
 * Google status word (`RESOURCE_EXHAUSTED`, `INVALID_ARGUMENT`) and a `RetryInfo.retryDelay` out of
 * that body so `toProviderApiError` can classify the failure like the other providers'.
 */
import { toProviderApiError, type ProviderApiError } from '../errors.js';

interface GoogleErrorBody {
  code?: number;
  message?: string;
  status?: string;
  details?: { '@type'?: string; retryDelay?: string }[];
}

export function toGeminiProviderError(operation: string, error: unknown, options: { mutating: boolean; keyVariables?: readonly string[] }): ProviderApiError {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status !== 'number') return toProviderApiError('gemini', operation, error, options);
  const body = parseErrorBody((error as Error).message);
  const retryAfterMs = body?.details?.map((detail) => parseDuration(detail.retryDelay)).find((ms) => ms !== undefined);
  const view = Object.assign(new Error(body ? `${body.status ?? status}: ${body.message ?? ''}` : (error as Error).message, { cause: error }), {
    status,
    ...(body?.status ? { code: body.status } : {}),
    ...(retryAfterMs !== undefined ? { headers: { 'retry-after-ms': String(retryAfterMs) } } : {}),
  });
  return toProviderApiError('gemini', operation, view, options);
}

function parseErrorBody(message: string | undefined): GoogleErrorBody | undefined {
  try {
    const parsed = JSON.parse(message ?? '') as { error?: GoogleErrorBody };
    return typeof parsed.error === 'object' && parsed.error !== null ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}

/** protobuf Duration JSON: `"10s"`, `"0.250s"`. */
function parseDuration(value: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value ?? '');
  if (!match) return undefined;
  const ms = Math.round(Number(match[1]) * 1000);
  return ms > 0 ? ms : undefined;
}

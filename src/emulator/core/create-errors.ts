/** The `createErrors` fault: the next batch-create calls answer with these statuses, one per call. */
import type { EmulatorContext } from './emulator-context.js';
import { EmulatorHttpError, type ApiFlavor } from './http-io.js';

const OPENAI_ERRORS: Readonly<Record<number, { type: string; code: string | null; message: string }>> = {
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for batch creation. Please try again shortly.' },
  500: { type: 'server_error', code: null, message: 'The server had an error while processing your request. Sorry about that!' },
  503: { type: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later.' },
};

const ANTHROPIC_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/** The error the next create call must fail with, or null; consumes one entry of `createErrors`. */
export function takeCreateError(context: EmulatorContext, flavor: ApiFlavor): EmulatorHttpError | null {
  const status = context.faults.createErrors.shift();
  if (status === undefined) return null;
  context.stats.faultsInjected.createErrors++;
  const headers: Record<string, string> = status === 429 ? { 'retry-after-ms': '10' } : {};
  if (flavor === 'openai') {
    const known = OPENAI_ERRORS[status] ?? { type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null, message: `Injected HTTP ${status}.` };
    return new EmulatorHttpError({ status, ...known, param: null, headers });
  }
  const type = ANTHROPIC_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return new EmulatorHttpError({ status, type, message: `Injected HTTP ${status} (${type}).`, headers });
}

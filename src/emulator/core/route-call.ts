/**
 * Running one API call against a route table, shared by the OpenAI, Anthropic and Gemini routers: find
 * the route, refuse it before its handler when the API says so (credentials, headers) or the `authError`
 * fault is on, run it, and turn what it throws into that API's error body (quoting the call's
 * credentials under the `echoCredentials` fault).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { echoCredentials, quoteCredentials } from './credential-faults.js';
import type { EmulatorContext, RouteHandler } from './emulator-context.js';
import { EmulatorHttpError, type ApiErrorFields } from './http-io.js';

export type Method = 'GET' | 'POST' | 'DELETE';

export interface Route<C extends EmulatorContext = EmulatorContext> {
  method: Method;
  pattern: RegExp;
  handler: RouteHandler<C>;
}

/** How one API answers a call that no handler answers. */
export interface RouteErrors {
  notFound(method: string, path: string): EmulatorHttpError;
  /** A path that exists, called with a method it does not take; `allowed` are the methods it takes. */
  methodNotAllowed(method: string, path: string, allowed: readonly Method[]): EmulatorHttpError;
  /** The API's refusal of a bad key (401) or of a key without permission (403): the `authError` fault. */
  authError(status: 401 | 403): EmulatorHttpError;
  /** Why a matched call is refused before its handler runs, or null. */
  refusal(): EmulatorHttpError | null;
  send(response: ServerResponse, fields: ApiErrorFields): void;
  /** The error `type` of the API's 500. */
  internalType: string;
}

export interface RoutedRequest {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  /** The URL path without trailing slashes. */
  path: string;
  requestId: string;
}

export async function runRoute<C extends EmulatorContext>(
  context: C,
  routes: readonly Route<C>[],
  call: RoutedRequest,
  errors: RouteErrors,
): Promise<void> {
  const { request, response, url, path, requestId } = call;
  const method = request.method ?? 'GET';
  try {
    const matched = routes.find((candidate) => candidate.method === method && candidate.pattern.test(path));
    const problem = matched === undefined ? unmatched(routes, errors, method, path) : (errors.refusal() ?? injectedAuthError(context, errors));
    if (problem !== null) {
      request.resume();
      throw problem;
    }
    const params = (matched!.pattern.exec(path) ?? []).slice(1).map(safeDecode);
    await matched!.handler(context, { request, response, url, params, requestId });
  } catch (error) {
    // Once the headers went out, the body cannot become an error body: only the connection can end.
    if (response.headersSent) {
      response.destroy(error instanceof Error ? error : undefined);
      return;
    }
    const credentials = context.faults.echoCredentials ? quoteCredentials(request, url) : null;
    if (error instanceof EmulatorHttpError) {
      errors.send(response, { ...error.fields, message: echoCredentials(error.fields.message, credentials) });
      return;
    }
    process.stderr.write(`synthforge emulator: ${method} ${path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    const message = `Emulator error: ${error instanceof Error ? error.message : String(error)}`;
    errors.send(response, { status: 500, type: errors.internalType, message: echoCredentials(message, credentials) });
  }
}

function unmatched(routes: readonly Route<never>[], errors: RouteErrors, method: string, path: string): EmulatorHttpError {
  const allowed = [...new Set(routes.filter((route) => route.pattern.test(path)).map((route) => route.method))];
  return allowed.length > 0 ? errors.methodNotAllowed(method, path, allowed) : errors.notFound(method, path);
}

function injectedAuthError(context: EmulatorContext, errors: RouteErrors): EmulatorHttpError | null {
  const status = context.faults.authError;
  if (status !== 401 && status !== 403) return null;
  context.stats.faultsInjected.authErrors++;
  return errors.authError(status);
}

/** A malformed %-escape in an id is an unknown id (404 from the handler), not a server error. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

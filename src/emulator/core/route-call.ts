/**
 * Running one API call against a route table, shared by the OpenAI, Anthropic and Gemini routers: find
 * the route, refuse it before its handler when the API says so (credentials, headers), run it, and turn
 * what it throws into that API's error body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
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
    const problem = matched === undefined ? errors.notFound(method, path) : errors.refusal();
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
    if (error instanceof EmulatorHttpError) {
      errors.send(response, error.fields);
      return;
    }
    process.stderr.write(`synthforge emulator: ${method} ${path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    errors.send(response, { status: 500, type: errors.internalType, message: `Emulator error: ${error instanceof Error ? error.message : String(error)}` });
  }
}

/** A malformed %-escape in an id is an unknown id (404 from the handler), not a server error. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

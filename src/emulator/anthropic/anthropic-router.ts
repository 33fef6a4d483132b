/**
 * The Anthropic routes (SDK `baseURL` = the bare `<url>`, the SDK adds `/v1`; `x-api-key` or
 * `Authorization: Bearer`, any `anthropic-version`), the credentials they demand, and the Anthropic error
 * body (with `request-id`):
 *   POST   /v1/messages/batches                       create (custom_id, count and size checked now)
 *   GET    /v1/messages/batches, .../{id}             list (`limit`, `after_id`, `before_id`), retrieve
 *   POST   /v1/messages/batches/{id}/cancel
 *   DELETE /v1/messages/batches/{id}                  only once ended
 *   GET    /v1/messages/batches/{id}/results          JSONL (application/x-jsonl), absolute results_url
 *   POST   /v1/messages                               synchronous; `stream: true` answers server-sent events
 *   GET    /v1/models, /v1/models/{id}                (with `anthropic-version`) the models served
 * A wrong method is a 405, an unknown path a 404 not_found_error, an unknown model a 404 (synchronous)
 * or an `errored` not_found_error result (in a batch).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteHandler } from '../core/emulator-context.js';
import { badRequest, EmulatorHttpError, sendJson } from '../core/http-io.js';
import { newRequestId } from '../core/ids.js';
import { runRoute, type Method, type Route } from '../core/route-call.js';
import type { AnthropicContext } from './anthropic-batch-record.js';
import {
  anthropicBatchResults,
  cancelAnthropicBatch,
  createAnthropicBatch,
  deleteAnthropicBatch,
  listAnthropicBatches,
  retrieveAnthropicBatch,
} from './anthropic-batches.js';
import { syncAnthropicMessage } from './anthropic-message.js';
import { listAnthropicModels, retrieveAnthropicModel } from './anthropic-models.js';

const route = (method: Method, pattern: RegExp, handler: RouteHandler<AnthropicContext>): Route<AnthropicContext> => ({ method, pattern, handler });

const ROUTES: readonly Route<AnthropicContext>[] = [
  route('POST', /^\/v1\/messages\/batches$/, createAnthropicBatch),
  route('GET', /^\/v1\/messages\/batches$/, listAnthropicBatches),
  route('GET', /^\/v1\/messages\/batches\/([^/]+)$/, retrieveAnthropicBatch),
  route('DELETE', /^\/v1\/messages\/batches\/([^/]+)$/, deleteAnthropicBatch),
  route('POST', /^\/v1\/messages\/batches\/([^/]+)\/cancel$/, cancelAnthropicBatch),
  route('GET', /^\/v1\/messages\/batches\/([^/]+)\/results$/, anthropicBatchResults),
  route('POST', /^\/v1\/messages$/, syncAnthropicMessage),
  route('GET', /^\/v1\/models$/, listAnthropicModels),
  route('GET', /^\/v1\/models\/(.+)$/, retrieveAnthropicModel),
];

/** `/v1/models` is also OpenAI's path: the `anthropic-version` header, which the Anthropic SDK always sends, tells them apart. */
export function isAnthropicCall(path: string, request: IncomingMessage): boolean {
  return path.startsWith('/v1/messages') || (/^\/v1\/models(\/|$)/.test(path) && request.headers['anthropic-version'] !== undefined);
}

/** The missing-credentials or missing-header error, or null when the call may run. */
function authProblem(request: IncomingMessage): EmulatorHttpError | null {
  const bearer = /^Bearer \S+/.test(request.headers.authorization ?? '');
  if (!bearer && !request.headers['x-api-key']) {
    return new EmulatorHttpError({ status: 401, type: 'authentication_error', message: 'x-api-key header is required' });
  }
  if (!request.headers['anthropic-version']) return badRequest('anthropic-version: header is required');
  return null;
}

/** `path` is the URL path without trailing slashes. */
export async function dispatchAnthropicCall(context: AnthropicContext, request: IncomingMessage, response: ServerResponse, url: URL, path: string): Promise<void> {
  const requestId = newRequestId();
  response.setHeader('request-id', requestId);
  await runRoute(context, ROUTES, { request, response, url, path, requestId }, {
    notFound: (method, unknown) => new EmulatorHttpError({ status: 404, type: 'not_found_error', message: `Unknown request URL: ${method} ${unknown}.` }),
    methodNotAllowed: (method, known, allowed) =>
      new EmulatorHttpError({ status: 405, type: 'invalid_request_error', message: `Method ${method} is not allowed for ${known}.`, headers: { allow: allowed.join(', ') } }),
    refusal: () => authProblem(request),
    authError: (status) =>
      status === 401
        ? new EmulatorHttpError({ status, type: 'authentication_error', message: 'invalid x-api-key' })
        : new EmulatorHttpError({ status, type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' }),
    send: (target, error) =>
      sendJson(target, error.status, { type: 'error', error: { type: error.type, message: error.message }, request_id: requestId }, error.headers ?? {}),
    internalType: 'api_error',
  });
}

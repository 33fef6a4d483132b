/**
 * The OpenAI routes (SDK `baseURL` = `<url>/v1`; `Authorization: Bearer <any key>`), the credentials they
 * demand, and the OpenAI error body (with `x-request-id`):
 *   POST   /v1/files                  multipart upload (streamed to disk); purpose=batch needs a .jsonl name
 *   GET    /v1/files, /v1/files/{id}  list (`purpose`, `order`, `after`, `limit`), retrieve
 *   GET    /v1/files/{id}/content     raw bytes, streamed
 *   DELETE /v1/files/{id}
 *   POST   /v1/batches                create (endpoints /v1/chat/completions and /v1/embeddings are run)
 *   GET    /v1/batches, /v1/batches/{id}   list (`limit` ≤ 100, `after`, newest first), retrieve
 *   POST   /v1/batches/{id}/cancel    400 on an ended batch (never 409: the SDKs retry 409)
 *   POST   /v1/chat/completions       synchronous, for OpenAI-compatible servers (vLLM, Ollama) and previews
 *   POST   /v1/embeddings             synchronous (previews)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EmulatorHttpError, sendJson } from '../core/http-io.js';
import { newRequestId } from '../core/ids.js';
import { runRoute, type Method, type Route } from '../core/route-call.js';
import type { RouteHandler } from '../core/emulator-context.js';
import { cancelOpenAIBatch, createOpenAIBatch, listOpenAIBatches, retrieveOpenAIBatch } from './openai-batches.js';
import type { OpenAIContext } from './openai-context.js';
import { deleteFile, fileContent, listFiles, retrieveFile, uploadFile } from './openai-files.js';
import { syncChatCompletion } from './openai-line.js';
import { syncEmbeddings } from './openai-sync-embeddings.js';

const route = (method: Method, pattern: RegExp, handler: RouteHandler<OpenAIContext>): Route<OpenAIContext> => ({ method, pattern, handler });

const ROUTES: readonly Route<OpenAIContext>[] = [
  route('POST', /^\/v1\/files$/, uploadFile),
  route('GET', /^\/v1\/files$/, listFiles),
  route('GET', /^\/v1\/files\/([^/]+)$/, retrieveFile),
  route('DELETE', /^\/v1\/files\/([^/]+)$/, deleteFile),
  route('GET', /^\/v1\/files\/([^/]+)\/content$/, fileContent),
  route('POST', /^\/v1\/batches$/, createOpenAIBatch),
  route('GET', /^\/v1\/batches$/, listOpenAIBatches),
  route('GET', /^\/v1\/batches\/([^/]+)$/, retrieveOpenAIBatch),
  route('POST', /^\/v1\/batches\/([^/]+)\/cancel$/, cancelOpenAIBatch),
  route('POST', /^\/v1\/chat\/completions$/, syncChatCompletion),
  route('POST', /^\/v1\/embeddings$/, syncEmbeddings),
];

/** The missing-credentials error, or null when the call is authenticated. */
function authProblem(request: IncomingMessage): EmulatorHttpError | null {
  if (/^Bearer \S+/.test(request.headers.authorization ?? '')) return null;
  return new EmulatorHttpError({
    status: 401,
    type: 'invalid_request_error',
    message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
  });
}

/** Serves any path outside the Anthropic and Gemini prefixes; `path` is the URL path without trailing slashes. */
export async function dispatchOpenAICall(context: OpenAIContext, request: IncomingMessage, response: ServerResponse, url: URL, path: string): Promise<void> {
  const requestId = newRequestId();
  response.setHeader('x-request-id', requestId);
  await runRoute(context, ROUTES, { request, response, url, path, requestId }, {
    notFound: (method, unknown) => new EmulatorHttpError({ status: 404, type: 'invalid_request_error', message: `Unknown request URL: ${method} ${unknown}.` }),
    refusal: () => authProblem(request),
    authError: (status) =>
      status === 401
        ? new EmulatorHttpError({ status, type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.' })
        : new EmulatorHttpError({ status, type: 'invalid_request_error', code: 'insufficient_permissions', message: 'You have insufficient permissions for this operation.' }),
    send: (target, error) =>
      sendJson(target, error.status, { error: { message: error.message, type: error.type, param: error.param ?? null, code: error.code ?? null } }, error.headers ?? {}),
    internalType: 'server_error',
  });
}

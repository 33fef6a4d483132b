/**
 * The provider API routes: which handler serves which method and path, the credentials each API demands,
 * and how failures become the provider's error body (with `x-request-id` / `request-id`). Gemini paths
 * (`/v1beta/...`) go to gemini-router.ts, which has its own error shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  anthropicBatchResults,
  cancelAnthropicBatch,
  createAnthropicBatch,
  deleteAnthropicBatch,
  listAnthropicBatches,
  retrieveAnthropicBatch,
} from '../anthropic/anthropic-batches.js';
import type { EmulatorContext, RouteHandler } from '../core/emulator-context.js';
import { dispatchGeminiCall, isGeminiPath } from '../gemini/gemini-router.js';
import { badRequest, EmulatorHttpError, sendApiError, type ApiFlavor } from '../core/http-io.js';
import { newRequestId } from '../core/ids.js';
import { runRoute, type Method, type Route as BaseRoute } from '../core/route-call.js';
import { cancelOpenAIBatch, createOpenAIBatch, listOpenAIBatches, retrieveOpenAIBatch } from './openai-batches.js';
import { deleteFile, fileContent, listFiles, retrieveFile, uploadFile } from './openai-files.js';
import { syncAnthropicMessage, syncChatCompletion } from '../core/sync-call.js';

interface Route extends BaseRoute {
  flavor: ApiFlavor;
}

const route = (method: Method, pattern: RegExp, flavor: ApiFlavor, handler: RouteHandler): Route => ({ method, pattern, flavor, handler });

const ROUTES: readonly Route[] = [
  route('POST', /^\/v1\/files$/, 'openai', uploadFile),
  route('GET', /^\/v1\/files$/, 'openai', listFiles),
  route('GET', /^\/v1\/files\/([^/]+)$/, 'openai', retrieveFile),
  route('DELETE', /^\/v1\/files\/([^/]+)$/, 'openai', deleteFile),
  route('GET', /^\/v1\/files\/([^/]+)\/content$/, 'openai', fileContent),
  route('POST', /^\/v1\/batches$/, 'openai', createOpenAIBatch),
  route('GET', /^\/v1\/batches$/, 'openai', listOpenAIBatches),
  route('GET', /^\/v1\/batches\/([^/]+)$/, 'openai', retrieveOpenAIBatch),
  route('POST', /^\/v1\/batches\/([^/]+)\/cancel$/, 'openai', cancelOpenAIBatch),
  route('POST', /^\/v1\/chat\/completions$/, 'openai', syncChatCompletion),
  route('POST', /^\/v1\/messages\/batches$/, 'anthropic', createAnthropicBatch),
  route('GET', /^\/v1\/messages\/batches$/, 'anthropic', listAnthropicBatches),
  route('GET', /^\/v1\/messages\/batches\/([^/]+)$/, 'anthropic', retrieveAnthropicBatch),
  route('DELETE', /^\/v1\/messages\/batches\/([^/]+)$/, 'anthropic', deleteAnthropicBatch),
  route('POST', /^\/v1\/messages\/batches\/([^/]+)\/cancel$/, 'anthropic', cancelAnthropicBatch),
  route('GET', /^\/v1\/messages\/batches\/([^/]+)\/results$/, 'anthropic', anthropicBatchResults),
  route('POST', /^\/v1\/messages$/, 'anthropic', syncAnthropicMessage),
];

/** The missing-credentials error each API gives, or null when the call is authenticated. */
function authProblem(request: IncomingMessage, flavor: ApiFlavor): EmulatorHttpError | null {
  const bearer = /^Bearer \S+/.test(request.headers.authorization ?? '');
  if (flavor === 'openai') {
    return bearer ? null : new EmulatorHttpError({
      status: 401,
      type: 'invalid_request_error',
      message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    });
  }
  if (!bearer && !request.headers['x-api-key']) {
    return new EmulatorHttpError({ status: 401, type: 'authentication_error', message: 'x-api-key header is required' });
  }
  if (!request.headers['anthropic-version']) return badRequest('anthropic-version: header is required');
  return null;
}

export async function dispatchApiCall(context: EmulatorContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://emulator.local');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (isGeminiPath(path)) return dispatchGeminiCall(context, request, response, url);
  const flavor: ApiFlavor = path.startsWith('/v1/messages') ? 'anthropic' : 'openai';
  const requestId = newRequestId();
  response.setHeader(flavor === 'openai' ? 'x-request-id' : 'request-id', requestId);
  await runRoute(context, ROUTES, { request, response, url, path, requestId }, {
    notFound: (method, unknown) =>
      new EmulatorHttpError({ status: 404, type: flavor === 'openai' ? 'invalid_request_error' : 'not_found_error', message: `Unknown request URL: ${method} ${unknown}.` }),
    refusal: (matched) => authProblem(request, matched.flavor),
    send: (target, fields) => sendApiError(target, flavor, requestId, fields),
    internalType: flavor === 'openai' ? 'server_error' : 'api_error',
  });
}


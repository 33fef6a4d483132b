/**
 * The Gemini API routes (`/v1beta/...`, `/upload/v1beta/...`, `/download/v1beta/...`): which handler
 * serves which path, the API key check (`x-goog-api-key` header or `?key=`), and Google-shaped errors.
 * The SDK's base URL (`@google/genai` `httpOptions.baseUrl`) is the emulator's bare URL; it adds the API
 * version itself. Upload-session requests need no key (the upload id is the credential, as on the real
 * service), though the SDK sends one anyway.
 *   POST   /v1beta/models/{model}:batchGenerateContent, :asyncBatchEmbedContent   create (inline or file)
 *   GET    /v1beta/batches, /v1beta/batches/{id}      list (`pageSize`, `pageToken`), get (state in metadata)
 *   POST   /v1beta/batches/{id}:cancel;  DELETE /v1beta/batches/{id}
 *   POST   /v1beta/models/{model}:generateContent, :batchEmbedContents   synchronous (gemini-sync.ts)
 *   POST   /upload/v1beta/files                       resumable upload: start, then upload/finalize chunks
 *   GET    /v1beta/files, /v1beta/files/{id}, /v1beta/files/{id}:download?alt=media;  DELETE /v1beta/files/{id}
 * gemini-batches.ts and gemini-files.ts describe each call.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteHandler } from '../core/emulator-context.js';
import { newRequestId } from '../core/ids.js';
import { runRoute, type Method, type Route } from '../core/route-call.js';
import {
  cancelGeminiBatch,
  createGeminiEmbedBatch,
  createGeminiGenerateBatch,
  deleteGeminiBatch,
  getGeminiBatch,
  listGeminiBatches,
} from './gemini-batches.js';
import { syncBatchEmbedContents, syncGenerateContent } from './gemini-sync.js';
import type { GeminiContext } from './gemini-context.js';
import { googleError, sendGoogleError } from './gemini-errors.js';
import { deleteGeminiFile, downloadGeminiFile, geminiUpload, getGeminiFile, listGeminiFiles } from './gemini-files.js';

const route = (method: Method, pattern: RegExp, handler: RouteHandler<GeminiContext>): Route<GeminiContext> => ({ method, pattern, handler });

const ROUTES: readonly Route<GeminiContext>[] = [
  route('POST', /^\/v1beta\/models\/([^/:]+):batchGenerateContent$/, createGeminiGenerateBatch),
  route('POST', /^\/v1beta\/models\/([^/:]+):asyncBatchEmbedContent$/, createGeminiEmbedBatch),
  route('POST', /^\/v1beta\/models\/([^/:]+):generateContent$/, syncGenerateContent),
  route('POST', /^\/v1beta\/models\/([^/:]+):batchEmbedContents$/, syncBatchEmbedContents),
  route('GET', /^\/v1beta\/batches$/, listGeminiBatches),
  route('GET', /^\/v1beta\/batches\/([^/:]+)$/, getGeminiBatch),
  route('POST', /^\/v1beta\/batches\/([^/:]+):cancel$/, cancelGeminiBatch),
  route('DELETE', /^\/v1beta\/batches\/([^/:]+)$/, deleteGeminiBatch),
  route('POST', /^\/upload\/v1beta\/files$/, geminiUpload),
  route('GET', /^\/v1beta\/files$/, listGeminiFiles),
  route('GET', /^\/v1beta\/files\/([^/:]+)$/, getGeminiFile),
  route('DELETE', /^\/v1beta\/files\/([^/:]+)$/, deleteGeminiFile),
  route('GET', /^\/v1beta\/files\/([^/:]+):download$/, downloadGeminiFile),
  route('GET', /^\/download\/v1beta\/files\/([^/:]+):download$/, downloadGeminiFile),
];

export function isGeminiPath(path: string): boolean {
  return /^\/(?:upload\/|download\/)?v1beta\//.test(path);
}

function hasApiKey(request: IncomingMessage, url: URL): boolean {
  const header = request.headers['x-goog-api-key'];
  return (typeof header === 'string' && header.length > 0) || (url.searchParams.get('key') ?? '') !== '';
}

/** `path` is the URL path without trailing slashes. */
export async function dispatchGeminiCall(context: GeminiContext, request: IncomingMessage, response: ServerResponse, url: URL, path: string): Promise<void> {
  // An upload session URL carries its own authority (the SDK sends no key with the chunks).
  const uploadSession = url.searchParams.has('upload_id');
  await runRoute(context, ROUTES, { request, response, url, path, requestId: newRequestId() }, {
    notFound: (method, unknown) => googleError(404, 'NOT_FOUND', `Unknown request URL: ${method} ${unknown}.`),
    // Google's front end maps method and path together to an RPC: a wrong method is an RPC it does not have (404, not 405).
    methodNotAllowed: (method, known) => googleError(404, 'NOT_FOUND', `Method not found: ${method} ${known}.`),
    refusal: () =>
      uploadSession || hasApiKey(request, url)
        ? null
        : googleError(403, 'PERMISSION_DENIED', 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.'),
    authError: (status) =>
      status === 401
        ? googleError(401, 'UNAUTHENTICATED', 'API key not valid. Please pass a valid API key.')
        : googleError(403, 'PERMISSION_DENIED', 'Permission denied: the API key may not use this model or API.'),
    send: sendGoogleError,
    internalType: 'INTERNAL',
  });
}

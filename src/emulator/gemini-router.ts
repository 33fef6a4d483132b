/**
 * The Gemini API routes (`/v1beta/...`, `/upload/v1beta/...`, `/download/v1beta/...`): which handler
 * serves which path, the API key check (`x-goog-api-key` header or `?key=`), and Google-shaped errors.
 * The SDK's base URL is the emulator's bare URL; it adds the API version itself. Upload-session requests
 * need no key (the upload id is the credential, as on the real service), though the SDK sends one anyway.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiCall, EmulatorContext, RouteHandler } from './emulator-context.js';
import {
  cancelGeminiBatch,
  createGeminiEmbedBatch,
  createGeminiGenerateBatch,
  deleteGeminiBatch,
  getGeminiBatch,
  listGeminiBatches,
} from './gemini-batches.js';
import { googleError, sendGoogleError } from './gemini-errors.js';
import { deleteGeminiFile, downloadGeminiFile, geminiUpload, getGeminiFile, listGeminiFiles } from './gemini-files.js';
import { EmulatorHttpError } from './http-io.js';
import { newRequestId } from './ids.js';

type Method = 'GET' | 'POST' | 'DELETE';
interface Route {
  method: Method;
  pattern: RegExp;
  handler: RouteHandler;
}

const route = (method: Method, pattern: RegExp, handler: RouteHandler): Route => ({ method, pattern, handler });

const ROUTES: readonly Route[] = [
  route('POST', /^\/v1beta\/models\/([^/:]+):batchGenerateContent$/, createGeminiGenerateBatch),
  route('POST', /^\/v1beta\/models\/([^/:]+):asyncBatchEmbedContent$/, createGeminiEmbedBatch),
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

/** A malformed %-escape in an id is an unknown id (404 from the handler), not a server error. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function isGeminiPath(path: string): boolean {
  return /^\/(?:upload\/|download\/)?v1beta\//.test(path);
}

function hasApiKey(request: IncomingMessage, url: URL): boolean {
  const header = request.headers['x-goog-api-key'];
  return (typeof header === 'string' && header.length > 0) || (url.searchParams.get('key') ?? '') !== '';
}

export async function dispatchGeminiCall(context: EmulatorContext, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = request.method ?? 'GET';
  try {
    const matched = ROUTES.find((candidate) => candidate.method === method && candidate.pattern.test(path));
    if (!matched) {
      request.resume();
      throw googleError(404, 'NOT_FOUND', `Unknown request URL: ${method} ${path}.`);
    }
    const uploadSession = url.searchParams.has('upload_id');
    if (!uploadSession && !hasApiKey(request, url)) {
      request.resume();
      throw googleError(403, 'PERMISSION_DENIED', 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.');
    }
    const params = (matched.pattern.exec(path) ?? []).slice(1).map(safeDecode);
    const call: ApiCall = { request, response, url, params, requestId: newRequestId() };
    await matched.handler(context, call);
  } catch (error) {
    if (response.headersSent) {
      response.destroy(error instanceof Error ? error : undefined);
      return;
    }
    if (error instanceof EmulatorHttpError) {
      sendGoogleError(response, error.fields);
      return;
    }
    process.stderr.write(`synthforge emulator: ${method} ${path} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    sendGoogleError(response, { status: 500, type: 'INTERNAL', message: `Emulator error: ${error instanceof Error ? error.message : String(error)}` });
  }
}

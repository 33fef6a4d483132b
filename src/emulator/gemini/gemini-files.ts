/**
 * Gemini Files API routes, including the resumable upload protocol exactly as `@google/genai` speaks it:
 *   1. POST /upload/v1beta/files with `X-Goog-Upload-Protocol: resumable`, `X-Goog-Upload-Command: start`,
 *      `X-Goog-Upload-Header-Content-Length/-Type` and a JSON body `{file: {displayName, mimeType}}`;
 *      the reply carries the session URL in `x-goog-upload-url` (absolute; the SDK keeps its path and query
 *      and swaps in its own host).
 *   2. POST <session url> with `X-Goog-Upload-Command: upload` (or `upload, finalize` for the last chunk)
 *      and `X-Goog-Upload-Offset`, the SDK sending 8 MB chunks; each reply says `x-goog-upload-status:
 *      active`, the finalizing one `final` with `{file: File}` as its body.
 * `query` and `cancel` commands are served too. Bytes stream to disk; nothing is held in memory.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { ApiCall } from '../core/emulator-context.js';
import { readJsonBody, sendFile, sendJson } from '../core/http-io.js';
import { pageByToken } from '../core/pagination.js';
import { isSchemaNode } from '../core/schema-data.js';
import {
  addGeminiFile,
  geminiFileDataPath,
  geminiFileResource,
  newGeminiId,
  type GeminiContext,
  type GeminiFileRecord,
  type GeminiUploadSession,
} from './gemini-context.js';
import { googleError, invalidArgument } from './gemini-errors.js';

const MAX_START_BODY_BYTES = 1024 * 1024;
const CHUNK_GRANULARITY = 256 * 1024;

export function callerBaseUrl(call: ApiCall): string {
  return `http://${call.request.headers.host ?? '127.0.0.1'}`;
}

function header(call: ApiCall, name: string): string | undefined {
  const value = call.request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Both steps share the path; a session request carries `upload_id`. */
export async function geminiUpload(context: GeminiContext, call: ApiCall): Promise<void> {
  const uploadId = call.url.searchParams.get('upload_id');
  if (uploadId !== null) return uploadToSession(context, call, uploadId);
  return startUpload(context, call);
}

async function startUpload(context: GeminiContext, call: ApiCall): Promise<void> {
  if (header(call, 'x-goog-upload-protocol') !== 'resumable' || header(call, 'x-goog-upload-command') !== 'start') {
    call.request.resume();
    throw invalidArgument('The emulator serves resumable uploads only: send X-Goog-Upload-Protocol: resumable and X-Goog-Upload-Command: start.');
  }
  const body = await readJsonBody(call.request, MAX_START_BODY_BYTES, () => invalidArgument('The upload start request body is too large.'));
  const file = isSchemaNode(body) && isSchemaNode(body.file) ? body.file : {};
  const lengthHeader = header(call, 'x-goog-upload-header-content-length');
  const declaredBytes = lengthHeader === undefined ? null : Number(lengthHeader);
  if (declaredBytes !== null && (!Number.isInteger(declaredBytes) || declaredBytes < 0)) {
    throw invalidArgument(`Invalid X-Goog-Upload-Header-Content-Length: ${lengthHeader}`);
  }
  if (declaredBytes !== null && declaredBytes > context.limits.geminiMaxFileBytes) {
    throw invalidArgument(`File size ${declaredBytes} exceeds the maximum of ${context.limits.geminiMaxFileBytes} bytes.`);
  }
  const session: GeminiUploadSession = {
    id: newGeminiId() + newGeminiId(),
    tempPath: context.store.tempPath(),
    declaredBytes,
    received: 0,
    displayName: typeof file.displayName === 'string' ? file.displayName : null,
    mimeType: header(call, 'x-goog-upload-header-content-type') ?? (typeof file.mimeType === 'string' ? file.mimeType : 'application/octet-stream'),
  };
  await writeFile(session.tempPath, '');
  context.geminiUploads.set(session.id, session);
  call.response.writeHead(200, {
    'x-goog-upload-url': `${callerBaseUrl(call)}/upload/v1beta/files?upload_id=${session.id}&upload_protocol=resumable`,
    'x-goog-upload-status': 'active',
    'x-goog-upload-chunk-granularity': String(CHUNK_GRANULARITY),
    'content-length': '0',
  });
  call.response.end();
}

function endWithStatus(response: ServerResponse, status: 'active' | 'cancelled', extra: Record<string, string> = {}): void {
  response.writeHead(200, { 'x-goog-upload-status': status, 'content-length': '0', ...extra });
  response.end();
}

async function dropSession(context: GeminiContext, session: GeminiUploadSession): Promise<void> {
  context.geminiUploads.delete(session.id);
  await rm(session.tempPath, { force: true });
}

async function uploadToSession(context: GeminiContext, call: ApiCall, uploadId: string): Promise<void> {
  const session = context.geminiUploads.get(uploadId);
  if (!session) {
    call.request.resume();
    throw googleError(404, 'NOT_FOUND', `No upload session ${uploadId} (it finished, was cancelled, or the server restarted).`);
  }
  const commands = new Set((header(call, 'x-goog-upload-command') ?? '').split(',').map((word) => word.trim()).filter(Boolean));
  if (commands.has('cancel')) {
    call.request.resume();
    await dropSession(context, session);
    return endWithStatus(call.response, 'cancelled');
  }
  if (commands.has('query')) {
    call.request.resume();
    return endWithStatus(call.response, 'active', { 'x-goog-upload-size-received': String(session.received) });
  }
  if (!commands.has('upload') && !commands.has('finalize')) {
    call.request.resume();
    throw invalidArgument(`Unknown X-Goog-Upload-Command: '${[...commands].join(', ')}'.`);
  }
  if (commands.has('upload')) await appendChunk(context, call, session);
  else call.request.resume();
  if (!commands.has('finalize')) return endWithStatus(call.response, 'active');
  if (session.declaredBytes !== null && session.received !== session.declaredBytes) {
    await dropSession(context, session);
    throw invalidArgument(`Upload finalized after ${session.received} bytes; the start request declared ${session.declaredBytes}.`);
  }
  const record = await keepUpload(context, session);
  sendJson(call.response, 200, { file: geminiFileResource(record, callerBaseUrl(call)) }, { 'x-goog-upload-status': 'final' });
}

async function appendChunk(context: GeminiContext, call: ApiCall, session: GeminiUploadSession): Promise<void> {
  const offset = Number(header(call, 'x-goog-upload-offset'));
  if (offset !== session.received) {
    call.request.resume();
    throw invalidArgument(`X-Goog-Upload-Offset ${String(header(call, 'x-goog-upload-offset'))} does not match the ${session.received} bytes received so far.`);
  }
  const limit = context.limits.geminiMaxFileBytes;
  let size = session.received;
  await pipeline(call.request, async function* count(source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      size += chunk.length;
      if (size <= limit) yield chunk;
    }
  }, createWriteStream(session.tempPath, { flags: 'a' }));
  if (size > limit) {
    await dropSession(context, session);
    throw invalidArgument(`The file exceeds the maximum of ${limit} bytes.`);
  }
  session.received = size;
}

async function keepUpload(context: GeminiContext, session: GeminiUploadSession): Promise<GeminiFileRecord> {
  context.geminiUploads.delete(session.id);
  const hash = createHash('sha256');
  await pipeline(createReadStream(session.tempPath), hash);
  const id = newGeminiId();
  await rename(session.tempPath, geminiFileDataPath(context, id));
  context.stats.filesUploaded++;
  return addGeminiFile(context, {
    id,
    bytes: session.received,
    displayName: session.displayName,
    mimeType: session.mimeType,
    sha256: hash.digest('base64'),
    source: 'UPLOADED',
  });
}

export function findGeminiFile(context: GeminiContext, id: string): GeminiFileRecord {
  const record = context.geminiFiles.get(id);
  if (!record) throw googleError(403, 'PERMISSION_DENIED', `You do not have permission to access the File ${id} or it may not exist.`);
  return record;
}

export async function getGeminiFile(context: GeminiContext, call: ApiCall): Promise<void> {
  sendJson(call.response, 200, geminiFileResource(findGeminiFile(context, call.params[0] ?? ''), callerBaseUrl(call)));
}

/** `files/{id}:download?alt=media` (what `files.download` calls) and the `downloadUri` form. */
export async function downloadGeminiFile(context: GeminiContext, call: ApiCall): Promise<void> {
  const record = findGeminiFile(context, call.params[0] ?? '');
  if (call.url.searchParams.get('alt') !== 'media') throw invalidArgument('Downloading file content needs alt=media.');
  const path = geminiFileDataPath(context, record.id);
  await sendFile(call.response, path, 'application/octet-stream', (await stat(path)).size);
}

export async function deleteGeminiFile(context: GeminiContext, call: ApiCall): Promise<void> {
  const record = findGeminiFile(context, call.params[0] ?? '');
  context.geminiFiles.delete(record.id);
  await context.store.remove('gemini-files', `${record.id}.json`);
  await context.store.remove('gemini-files', `${record.id}.data`);
  sendJson(call.response, 200, {});
}

export async function listGeminiFiles(context: GeminiContext, call: ApiCall): Promise<void> {
  const records = [...context.geminiFiles.values()].sort((left, right) => right.createdAtMs - left.createdAtMs || right.sequence - left.sequence);
  const page = pageByToken(records, call.url.searchParams, { defaultSize: 10, maxSize: 100 }, invalidArgument);
  const base = callerBaseUrl(call);
  sendJson(call.response, 200, {
    files: page.items.map((record) => geminiFileResource(record, base)),
    ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
  });
}

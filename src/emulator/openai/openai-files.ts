/**
 * OpenAI Files routes: upload (multipart, streamed to disk), retrieve, list, delete, content (streamed from
 * disk). Batch inputs must be `.jsonl`, as the live API insists.
 */
import { rename, rm, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { ApiCall } from '../core/emulator-context.js';
import { badRequest, notFound, sendFile, sendJson } from '../core/http-io.js';
import { pageAfter } from '../core/pagination.js';
import { addFile, fileDataPath, fileObject, newFileId, THIRTY_DAYS_SECONDS, type OpenAIContext } from './openai-context.js';

const UPLOAD_PURPOSES = new Set(['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals']);
const MIN_EXPIRY_SECONDS = 3600;

interface ParsedUpload {
  fields: Record<string, string>;
  file: { tempPath: string; filename: string; bytes: number; truncated: boolean } | null;
}

async function parseUpload(context: OpenAIContext, call: ApiCall): Promise<ParsedUpload> {
  const contentType = call.request.headers['content-type'] ?? '';
  if (!contentType.startsWith('multipart/form-data')) {
    throw badRequest("Invalid Content-Type header (expected multipart/form-data).", null);
  }
  const parser = busboy({
    headers: call.request.headers,
    limits: { files: 1, fields: 20, fileSize: context.limits.openaiMaxUploadBytes },
  });
  const upload: ParsedUpload = { fields: {}, file: null };
  const writes: Promise<void>[] = [];
  parser.on('field', (name, value) => {
    upload.fields[name] = value;
  });
  parser.on('file', (name, stream, info) => {
    if (name !== 'file' || upload.file) {
      stream.resume();
      return;
    }
    const file = { tempPath: context.store.tempPath(), filename: info.filename ?? 'upload', bytes: 0, truncated: false };
    upload.file = file;
    stream.on('data', (chunk: Buffer) => {
      file.bytes += chunk.length;
    });
    stream.on('limit', () => {
      file.truncated = true;
    });
    writes.push(pipeline(stream, createWriteStream(file.tempPath)));
  });
  try {
    await pipeline(call.request, parser);
    await Promise.all(writes);
  } catch (error) {
    if (upload.file) await rm(upload.file.tempPath, { force: true });
    throw badRequest(`Could not parse the multipart form: ${(error as Error).message}`, null);
  }
  return upload;
}

function readExpiry(fields: Record<string, string>, purpose: string): number | null {
  const anchor = fields['expires_after[anchor]'];
  const seconds = fields['expires_after[seconds]'];
  if (anchor === undefined && seconds === undefined) return purpose === 'batch' ? THIRTY_DAYS_SECONDS : null;
  if (anchor !== 'created_at') {
    throw badRequest("Invalid 'expires_after.anchor': expected 'created_at'.", 'expires_after.anchor', 'invalid_value');
  }
  const value = Number(seconds);
  if (!Number.isInteger(value) || value < MIN_EXPIRY_SECONDS || value > THIRTY_DAYS_SECONDS) {
    throw badRequest(
      `Invalid 'expires_after.seconds': expected an integer between ${MIN_EXPIRY_SECONDS} and ${THIRTY_DAYS_SECONDS}.`,
      'expires_after.seconds',
      'invalid_value',
    );
  }
  return value;
}

export async function uploadFile(context: OpenAIContext, call: ApiCall): Promise<void> {
  const upload = await parseUpload(context, call);
  try {
    const purpose = upload.fields.purpose;
    if (purpose === undefined) throw badRequest("Missing required parameter: 'purpose'.", 'purpose', 'missing_required_parameter');
    if (!UPLOAD_PURPOSES.has(purpose)) {
      throw badRequest(`Invalid value for 'purpose': '${purpose}'.`, 'purpose', 'invalid_value');
    }
    if (!upload.file) throw badRequest("Missing required parameter: 'file'.", 'file', 'missing_required_parameter');
    if (upload.file.truncated) {
      throw badRequest(`File is too large: the limit is ${context.limits.openaiMaxUploadBytes} bytes.`, 'file', 'file_too_large');
    }
    if (purpose === 'batch' && !upload.file.filename.toLowerCase().endsWith('.jsonl')) {
      throw badRequest('Invalid file format for Batch API. Must be .jsonl', 'file', 'invalid_file_format');
    }
    const expiresAfterSeconds = readExpiry(upload.fields, purpose);
    const id = newFileId();
    await rename(upload.file.tempPath, fileDataPath(context, id));
    const record = await addFile(context, { id, bytes: upload.file.bytes, filename: upload.file.filename, purpose, expiresAfterSeconds });
    context.stats.filesUploaded++;
    sendJson(call.response, 200, fileObject(record));
  } finally {
    if (upload.file) await rm(upload.file.tempPath, { force: true });
  }
}

function findFile(context: OpenAIContext, id: string) {
  const record = context.files.get(id);
  if (!record) throw notFound(`No such File object: ${id}`, 'openai');
  return record;
}

export async function retrieveFile(context: OpenAIContext, call: ApiCall): Promise<void> {
  sendJson(call.response, 200, fileObject(findFile(context, call.params[0] ?? '')));
}

export async function fileContent(context: OpenAIContext, call: ApiCall): Promise<void> {
  const record = findFile(context, call.params[0] ?? '');
  const path = fileDataPath(context, record.id);
  const { size } = await stat(path);
  await sendFile(call.response, path, 'application/octet-stream', size);
}

export async function deleteFile(context: OpenAIContext, call: ApiCall): Promise<void> {
  const record = findFile(context, call.params[0] ?? '');
  context.files.delete(record.id);
  await context.store.remove('files', `${record.id}.json`);
  await context.store.remove('files', `${record.id}.data`);
  sendJson(call.response, 200, { id: record.id, object: 'file', deleted: true });
}

export async function listFiles(context: OpenAIContext, call: ApiCall): Promise<void> {
  const query = call.url.searchParams;
  const purpose = query.get('purpose');
  const order = query.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw badRequest("Invalid 'order': expected 'asc' or 'desc'.", 'order', 'invalid_value');
  const records = [...context.files.values()]
    .filter((record) => purpose === null || record.purpose === purpose)
    .sort((left, right) => (order === 'asc' ? 1 : -1) * (left.createdAt - right.createdAt || left.sequence - right.sequence));
  const page = pageAfter(records, query, { defaultLimit: 10_000, maxLimit: 10_000 });
  sendJson(call.response, 200, {
    object: 'list',
    data: page.items.map(fileObject),
    first_id: page.items[0]?.id ?? null,
    last_id: page.items.at(-1)?.id ?? null,
    has_more: page.hasMore,
  });
}

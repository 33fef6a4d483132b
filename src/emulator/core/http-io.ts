/**
 * Small HTTP helpers on top of node:http: JSON replies, bounded body reading, file streaming, and the error
 * type handlers throw to produce a provider-shaped error reply.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { SynthforgeError } from '../../errors.js';

/**
 * OpenAI and Anthropic describe an error the same way (HTTP status, `error.type`, message) and differ only in
 * a few type words, so the helpers shared by both take the API as a flag. Gemini's errors carry a Google
 * status word in `type` instead (gemini/gemini-errors.ts).
 */
export type ApiFlavor = 'openai' | 'anthropic';

export interface ApiErrorFields {
  status: number;
  /** OpenAI / Anthropic `error.type` (e.g. invalid_request_error, not_found_error); Gemini: the status word. */
  type: string;
  message: string;
  param?: string | null;
  code?: string | null;
  headers?: Record<string, string>;
}

/** Thrown inside a route handler; the vendor's router turns it into that API's error body. */
export class EmulatorHttpError extends SynthforgeError {
  constructor(readonly fields: ApiErrorFields) {
    super('emulator_http', fields.message, { details: { status: fields.status, type: fields.type } });
    this.name = 'EmulatorHttpError';
  }
}

export function badRequest(message: string, param: string | null = null, code: string | null = null): EmulatorHttpError {
  return new EmulatorHttpError({ status: 400, type: 'invalid_request_error', message, param, code });
}

export function notFound(message: string, flavor: ApiFlavor): EmulatorHttpError {
  return new EmulatorHttpError({
    status: 404,
    type: flavor === 'openai' ? 'invalid_request_error' : 'not_found_error',
    message,
  });
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/** Reads the whole body, refusing more than `maxBytes` (the rest is drained so the client sees our reply). */
export async function readBody(request: IncomingMessage, maxBytes: number, tooLarge: () => EmulatorHttpError): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let overflow = false;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) overflow = true;
    if (!overflow) chunks.push(chunk);
  }
  if (overflow) throw tooLarge();
  return Buffer.concat(chunks);
}

export async function readJsonBody(request: IncomingMessage, maxBytes: number, tooLarge: () => EmulatorHttpError): Promise<unknown> {
  const body = await readBody(request, maxBytes, tooLarge);
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw badRequest('We could not parse the JSON body of your request.');
  }
}

/**
 * Streams the body into `path`, counting bytes; past `maxBytes` it stops writing but keeps draining so the
 * client still reads the reply. Returns the byte count, or -1 when the limit was exceeded.
 */
export async function streamBodyToFile(request: IncomingMessage, path: string, maxBytes: number): Promise<number> {
  let size = 0;
  const file = createWriteStream(path);
  await pipeline(request, async function* limit(source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      size += chunk.length;
      if (size <= maxBytes) yield chunk;
    }
  }, file);
  return size > maxBytes ? -1 : size;
}

/** Streams a file as the reply; without `bytes` the reply is chunked (how the real results endpoints stream). */
export async function sendFile(
  response: ServerResponse,
  path: string,
  contentType: string,
  bytes?: number,
): Promise<void> {
  response.writeHead(200, {
    'content-type': contentType,
    ...(bytes === undefined ? {} : { 'content-length': String(bytes) }),
  });
  await pipeline(createReadStream(path), response);
}

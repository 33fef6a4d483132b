/**
 * `/v1/embeddings` bodies, of batch lines and of the synchronous `POST /v1/embeddings`, answered with
 * the responder's deterministic vectors (embedText): the same text gets the same vector either way.
 * `encoding_format: base64` (what the openai SDK asks for by default, decoding it itself) sends the
 * float32 bytes little-endian, base64-encoded.
 */
import type { ApiCall } from '../core/emulator-context.js';
import { EmulatorHttpError, sendJson } from '../core/http-io.js';
import { startSyncCall } from '../core/sync-call.js';
import type { OpenAIContext } from './openai-context.js';
import { countTokens } from '../core/prompt-schema.js';
import { embedText } from '../core/responder.js';
import type { OpenAIErrorBody } from './openai-chat-request.js';
import { modelNotFound } from './openai-model-not-found.js';

/** The API's own cap on inputs in one synchronous request. */
const MAX_SYNC_INPUTS = 2048;

export interface EmbeddingsRequest {
  model: string;
  inputs: string[];
  dimensions: number;
  base64: boolean;
}

export type EmbeddingsRequestResult = { ok: true; request: EmbeddingsRequest } | { ok: false; error: OpenAIErrorBody };

function invalid(message: string, param: string | null): EmbeddingsRequestResult {
  return { ok: false, error: { message, type: 'invalid_request_error', param, code: null } };
}

/** How many inputs an embeddings body holds (counted against the per-batch limit); 0 when unreadable. */
export function countEmbeddingInputs(body: unknown): number {
  if (typeof body !== 'object' || body === null) return 0;
  const input = (body as Record<string, unknown>).input;
  if (typeof input === 'string') return 1;
  if (!Array.isArray(input)) return 0;
  return input.every((item) => typeof item === 'number') ? 1 : input.length;
}

export function readEmbeddingsRequest(body: unknown): EmbeddingsRequestResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return invalid('The request body must be a JSON object.', null);
  const fields = body as Record<string, unknown>;
  if (typeof fields.model !== 'string' || fields.model.length === 0) return invalid('you must provide a model parameter', null);
  const input = fields.input;
  let inputs: string[];
  if (typeof input === 'string') inputs = [input];
  else if (Array.isArray(input) && input.length > 0 && input.every((item) => typeof item === 'string')) inputs = input as string[];
  else if (Array.isArray(input) && input.length > 0 && input.every((item) => typeof item === 'number')) inputs = [input.join(' ')];
  else if (Array.isArray(input) && input.length > 0 && input.every((item) => Array.isArray(item))) inputs = input.map((item) => (item as unknown[]).join(' '));
  else return invalid("'input' must be a non-empty string or array.", 'input');
  if (inputs.some((text) => text.length === 0)) return invalid("'input' cannot contain an empty string.", 'input');
  const defaultDimensions = fields.model.includes('large') ? 3072 : 1536;
  const dimensions = fields.dimensions ?? defaultDimensions;
  if (!Number.isInteger(dimensions) || (dimensions as number) < 1 || (dimensions as number) > defaultDimensions) {
    return invalid(`Invalid 'dimensions': expected an integer between 1 and ${defaultDimensions}.`, 'dimensions');
  }
  const format = fields.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') return invalid("Invalid 'encoding_format': expected 'float' or 'base64'.", 'encoding_format');
  return { ok: true, request: { model: fields.model, inputs, dimensions: dimensions as number, base64: format === 'base64' } };
}

export function buildEmbeddingsResponse(request: EmbeddingsRequest): Record<string, unknown> {
  const tokens = request.inputs.reduce((sum, text) => sum + countTokens(text), 0);
  return {
    object: 'list',
    data: request.inputs.map((text, index) => {
      const vector = embedText(text, request.dimensions);
      return {
        object: 'embedding',
        index,
        embedding: request.base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
      };
    }),
    model: request.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

export async function syncEmbeddings(context: OpenAIContext, call: ApiCall): Promise<void> {
  // Read, authenticated and counted as every synchronous call is (previews count on it).
  const { body } = await startSyncCall(context, call, 'openai');
  const read = readEmbeddingsRequest(body);
  if (!read.ok) throw new EmulatorHttpError({ status: 400, ...read.error });
  if (read.request.inputs.length > MAX_SYNC_INPUTS) {
    throw new EmulatorHttpError({ status: 400, type: 'invalid_request_error', param: 'input', code: null, message: `'input' holds ${read.request.inputs.length} items; at most ${MAX_SYNC_INPUTS} are allowed.` });
  }
  if (!context.models.serves('openai', read.request.model, 'embedding')) throw new EmulatorHttpError({ status: 404, ...modelNotFound(read.request.model) });
  sendJson(call.response, 200, buildEmbeddingsResponse(read.request));
}


/**
 * `POST /v1/embeddings`, synchronous: the same body a batch line carries, answered at once with the
 * responder's deterministic vectors. Counted and faulted as the other synchronous calls (sync-call.ts).
 */
import type { ApiCall } from '../core/emulator-context.js';
import { EmulatorHttpError, sendJson } from '../core/http-io.js';
import { startSyncCall } from '../core/sync-call.js';
import type { OpenAIContext } from './openai-context.js';
import { buildEmbeddingsResponse, readEmbeddingsRequest } from './openai-embeddings.js';

export async function syncEmbeddings(context: OpenAIContext, call: ApiCall): Promise<void> {
  const { body } = await startSyncCall(context, call, 'openai');
  const read = readEmbeddingsRequest(body);
  if (!read.ok) throw new EmulatorHttpError({ status: 400, ...read.error });
  sendJson(call.response, 200, buildEmbeddingsResponse(read.request));
}

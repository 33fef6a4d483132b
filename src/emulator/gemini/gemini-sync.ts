/**
 * Gemini's synchronous calls, as `@google/genai` makes them: `models.generateContent` →
 * `POST /v1beta/models/{model}:generateContent` (a `GenerateContentRequest`, the body of a batch line's
 * `request`), and `models.embedContent` → `POST /v1beta/models/{model}:batchEmbedContents`
 * (`{requests: [EmbedContentRequest + model]}` → `{embeddings: [{values}]}`). Answers come from the same
 * seeded responder as batch lines, seeded by the body; the `syncErrorRate` fault answers 429 and 500 in
 * turn, and content faults apply as on batch lines.
 */
import type { ApiCall } from '../core/emulator-context.js';
import { decideLineFault, decideSyncError } from '../core/fault-decisions.js';
import { readJsonBody, sendJson } from '../core/http-io.js';
import { hashHex } from '../core/seeded-random.js';
import { countFault } from '../core/staged-results.js';
import type { GeminiContext } from './gemini-context.js';
import { runEmbedRequest } from './gemini-embed.js';
import { googleError, invalidArgument } from './gemini-errors.js';
import { runGenerateRequest } from './gemini-generate.js';

const MAX_SYNC_BODY_BYTES = 32 * 1024 * 1024;

/** Reads the body and applies the sync-error fault; returns the body and how often it was asked before. */
async function startGeminiSyncCall(context: GeminiContext, call: ApiCall): Promise<{ body: unknown; requestKey: string; attempt: number }> {
  context.stats.chatCompletions++;
  const body = await readJsonBody(call.request, MAX_SYNC_BODY_BYTES, () => googleError(413, 'INVALID_ARGUMENT', 'Request payload size exceeds the limit.'));
  const requestKey = hashHex('gemini-sync', call.url.pathname, JSON.stringify(body));
  const attempt = context.syncAttempts.get(requestKey) ?? 0;
  context.syncAttempts.set(requestKey, attempt + 1);
  if (decideSyncError(context.faults, requestKey, attempt)) {
    const exhausted = context.stats.faultsInjected.syncErrors++ % 2 === 0;
    throw exhausted
      ? googleError(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).')
      : googleError(500, 'INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting');
  }
  return { body, requestKey, attempt };
}

export async function syncGenerateContent(context: GeminiContext, call: ApiCall): Promise<void> {
  const model = call.params[0] ?? '';
  const { body, requestKey, attempt } = await startGeminiSyncCall(context, call);
  const decided = decideLineFault(context.faults, requestKey, attempt);
  const fault = decided === 'line_error' ? 'none' : decided;
  // The k-th call with the same body is the k-th sample of that prompt: an answer of its own.
  const outcome = runGenerateRequest(body, model, [hashHex('sync', JSON.stringify(body), attempt)], fault, context.memory);
  if (!outcome.ok) throw outcome.problem === 'invalid' ? invalidArgument(outcome.message) : googleError(500, 'INTERNAL', outcome.message);
  countFault(context.stats.faultsInjected, outcome.applied);
  sendJson(call.response, 200, outcome.body);
}

export async function syncBatchEmbedContents(context: GeminiContext, call: ApiCall): Promise<void> {
  const model = call.params[0] ?? '';
  const { body } = await startGeminiSyncCall(context, call);
  const requests = typeof body === 'object' && body !== null ? (body as { requests?: unknown }).requests : undefined;
  if (!Array.isArray(requests) || requests.length === 0) throw invalidArgument('* BatchEmbedContentsRequest.requests: at least one request is required.');
  const embeddings: unknown[] = [];
  for (const request of requests) {
    // Each request repeats the model (`models/x`); the embed reader does not know that field.
    const { model: _model, ...rest } = (typeof request === 'object' && request !== null ? request : {}) as Record<string, unknown>;
    const outcome = runEmbedRequest(rest, model, 'none');
    if (!outcome.ok) throw invalidArgument(outcome.message);
    embeddings.push(outcome.body.embedding);
  }
  sendJson(call.response, 200, { embeddings });
}

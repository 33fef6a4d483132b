/**
 * The start shared by the synchronous completions, OpenAI `POST /v1/chat/completions` (what OpenAI-compatible
 * servers such as vLLM and Ollama serve) and Anthropic `POST /v1/messages` (a dry run of a batch request
 * shape). Seeded from the `x-request-key` header when present, else from the body and how many times it was
 * asked before; `syncErrorRate` answers 429 and 500 in turn.
 */
import type { ApiCall, EmulatorContext } from './emulator-context.js';
import { decideLineFault, decideSyncError, type LineFault } from './fault-decisions.js';
import { EmulatorHttpError, readJsonBody, type ApiFlavor } from './http-io.js';
import { decideRepairValid } from './repair-turns.js';
import { hashHex, type HashPart } from './seeded-random.js';

const MAX_SYNC_BODY_BYTES = 32 * 1024 * 1024;

export interface SyncStart {
  body: unknown;
  seedParts: HashPart[];
  fault: LineFault;
  /** How the call is answered if it is a repair turn (repair-turns.ts). */
  repairValid: boolean;
}

/** Reads the body, applies the sync-error fault, and decides the content fault for this call. */
export async function startSyncCall(context: EmulatorContext, call: ApiCall, flavor: ApiFlavor): Promise<SyncStart> {
  context.stats.chatCompletions++;
  const body = await readJsonBody(call.request, MAX_SYNC_BODY_BYTES, () =>
    new EmulatorHttpError({ status: 413, type: flavor === 'openai' ? 'invalid_request_error' : 'request_too_large', message: 'Request too large.' }),
  );
  const header = call.request.headers['x-request-key'];
  // `stream` is how the answer travels, not what is asked: a streamed call gets the same answer.
  const asked = JSON.stringify(typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, stream: undefined } : body);
  const requestKey = typeof header === 'string' && header.length > 0 ? header : hashHex(asked);
  const attempt = context.syncAttempts.get(requestKey) ?? 0;
  context.syncAttempts.set(requestKey, attempt + 1);
  if (decideSyncError(context.faults, requestKey, attempt)) {
    const status = context.stats.faultsInjected.syncErrors++ % 2 === 0 ? 429 : 500;
    const type = status === 429
      ? flavor === 'openai' ? 'requests' : 'rate_limit_error'
      : flavor === 'openai' ? 'server_error' : 'api_error';
    throw new EmulatorHttpError({
      status,
      type,
      message: status === 429 ? 'Rate limit reached. Please try again shortly.' : 'The server had an error while processing your request.',
      code: status === 429 && flavor === 'openai' ? 'rate_limit_exceeded' : null,
      headers: status === 429 ? { 'retry-after-ms': '10' } : {},
    });
  }
  const decided = decideLineFault(context.faults, requestKey, attempt);
  return {
    body,
    // Without a key header, the k-th call asking the same (streamed or not) is the k-th sample of that
    // prompt, as `n` samples are in a batch: it gets an answer of its own, as a real model's would differ.
    seedParts: [typeof header === 'string' && header.length > 0 ? hashHex('sync', header) : hashHex('sync', asked, attempt)],
    fault: decided === 'line_error' ? 'none' : decided,
    repairValid: decideRepairValid(context.faults, requestKey, attempt),
  };
}

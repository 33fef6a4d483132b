/**
 * Runs one OpenAI request body, a batch line or a synchronous `POST /v1/chat/completions`, and renders the
 * batch output or error line, or the `chat.completion` reply. In a batch, a body the API would refuse becomes
 * a 400 in `response.body.error` with the top-level `error` null, as the live API reports it.
 */
import { echoCredentials, lineErrorKind } from '../core/credential-faults.js';
import type { ApiCall } from '../core/emulator-context.js';
import type { LineFault } from '../core/fault-decisions.js';
import { EmulatorHttpError, sendJson } from '../core/http-io.js';
import { derivedId } from '../core/ids.js';
import { answerRequest, type Answer, type AnswerMemory, type AppliedFault } from '../core/responder.js';
import { hashHex, type HashPart } from '../core/seeded-random.js';
import { countFault, type StagedLine } from '../core/staged-results.js';
import { startSyncCall } from '../core/sync-call.js';
import { readChatRequest, type ChatRequest, type OpenAIErrorBody } from './openai-chat-request.js';
import type { OpenAIContext } from './openai-context.js';
import { buildEmbeddingsResponse, readEmbeddingsRequest } from './openai-embeddings.js';
import { modelNotFound } from './openai-model-not-found.js';

export const SERVER_ERROR: OpenAIErrorBody = {
  message: 'The server had an error while processing your request. Sorry about that!',
  type: 'server_error',
  param: null,
  code: null,
};

/** The line the `lineErrorRate` fault fails with, worded by its `lineErrorStatus`. */
function lineErrorBody(input: OpenAILineInput): { status: number; error: OpenAIErrorBody; applied: 'line_error' } {
  const status = input.lineError?.status ?? 500;
  const kind = lineErrorKind(status);
  const base: OpenAIErrorBody =
    kind === 'auth'
      ? { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' }
      : kind === 'permission'
        ? { message: 'You have insufficient permissions for this operation.', type: 'invalid_request_error', param: null, code: 'insufficient_permissions' }
        : kind === 'invalid'
          ? { message: `Injected HTTP ${status}.`, type: 'invalid_request_error', param: null, code: null }
          : SERVER_ERROR;
  return { status, error: { ...base, message: echoCredentials(base.message, input.lineError?.credentials) }, applied: 'line_error' };
}

function finishReason(answer: Answer, request: ChatRequest): string {
  if (answer.stop === 'length') return 'length';
  if (answer.stop === 'tool') return request.toolChoiceForced === 'required' ? 'tool_calls' : 'stop';
  return 'stop';
}

function message(answer: Answer, request: ChatRequest, seedParts: HashPart[], index: number): Record<string, unknown> {
  if (answer.refusal !== null) return { role: 'assistant', content: null, refusal: answer.refusal, annotations: [] };
  if (request.target.kind === 'tool') {
    return {
      role: 'assistant',
      content: null,
      refusal: null,
      annotations: [],
      tool_calls: [
        {
          id: derivedId('call_', 24, ...seedParts, 'call', index),
          type: 'function',
          function: { name: request.target.name, arguments: answer.text },
        },
      ],
    };
  }
  return { role: 'assistant', content: answer.text, refusal: null, annotations: [] };
}

/** A `chat.completion` object from responder answers (one per choice). */
function buildChatCompletion(
  request: ChatRequest,
  answers: Answer[],
  seedParts: HashPart[],
  createdSeconds: number,
): Record<string, unknown> {
  const inputTokens = answers[0]?.inputTokens ?? 0;
  const outputTokens = answers.reduce((sum, answer) => sum + answer.outputTokens, 0);
  return {
    id: derivedId('chatcmpl-', 29, ...seedParts),
    object: 'chat.completion',
    created: createdSeconds,
    model: request.model,
    choices: answers.map((answer, index) => ({
      index,
      message: message(answer, request, seedParts, index),
      logprobs: null,
      finish_reason: finishReason(answer, request),
    })),
    usage: {
      prompt_tokens: inputTokens,
      completion_tokens: outputTokens,
      total_tokens: inputTokens + outputTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_emulator',
  };
}

function answerChat(
  request: ChatRequest,
  seedParts: HashPart[],
  fault: LineFault,
  memory: AnswerMemory,
  repairValid: boolean,
): { answers: Answer[]; applied: AppliedFault } {
  const answers: Answer[] = [];
  for (let index = 0; index < request.choices; index++) {
    answers.push(
      answerRequest(
        {
          seedParts: index === 0 ? seedParts : [...seedParts, 'choice', index],
          promptText: request.promptText,
          lastUserText: request.lastUserText,
          target: request.target,
          maxOutputTokens: request.maxOutputTokens,
          fault: index === 0 ? fault : 'none',
          repairValid,
          toolInputIsObject: false,
        },
        memory,
      ),
    );
  }
  return { answers, applied: answers[0]?.applied ?? 'none' };
}

export interface OpenAILineInput {
  batchId: string;
  endpoint: string;
  customId: string;
  /** What the answer is seeded by (line-identity.ts), with the number of earlier runs of it. */
  identity: string;
  attempt: number;
  body: unknown;
  fault: LineFault;
  /** How the line is answered if it is a repair turn (core/repair-turns.ts); default valid. */
  repairValid?: boolean;
  memory: AnswerMemory;
  nowSeconds: number;
  /** How a `line_error` fault fails (default: HTTP 500, quoting nothing). */
  lineError?: { status: number; credentials?: string | undefined };
}

type LineOutcome =
  | { status: 200; body: Record<string, unknown>; applied: AppliedFault; inputTokens: number; outputTokens: number }
  | { status: number; error: OpenAIErrorBody; applied: 'none' | 'line_error' };

function runBody(input: OpenAILineInput, seedParts: HashPart[]): LineOutcome {
  if (input.endpoint === '/v1/embeddings') {
    const read = readEmbeddingsRequest(input.body);
    if (!read.ok) return { status: 400, error: read.error, applied: 'none' };
    if (input.fault === 'line_error') return lineErrorBody(input);
    const body = buildEmbeddingsResponse(read.request);
    const tokens = (body.usage as { prompt_tokens: number }).prompt_tokens;
    return { status: 200, body, applied: 'none', inputTokens: tokens, outputTokens: 0 };
  }
  const read = readChatRequest(input.body, true);
  if (!read.ok) return { status: 400, error: read.error, applied: 'none' };
  if (input.fault === 'line_error') return lineErrorBody(input);
  const { answers, applied } = answerChat(read.request, seedParts, input.fault, input.memory, input.repairValid ?? true);
  const body = buildChatCompletion(read.request, answers, seedParts, input.nowSeconds);
  const usage = body.usage as { prompt_tokens: number; completion_tokens: number };
  return { status: 200, body, applied, inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
}

export function runOpenAILine(input: OpenAILineInput): StagedLine {
  // One digest of (custom_id, body) seeds everything, so later hashes do not re-read the whole body.
  const seedParts: HashPart[] = [hashHex(input.identity, input.attempt)];
  const outcome = runBody(input, seedParts);
  const id = derivedId('batch_req_', 32, input.batchId, input.customId);
  const requestId = derivedId('req_', 32, input.batchId, input.customId, 'request');
  const responseBody = 'body' in outcome ? outcome.body : { error: outcome.error };
  const line = JSON.stringify({
    id,
    custom_id: input.customId,
    response: { status_code: outcome.status, request_id: requestId, body: responseBody },
    error: null,
  });
  return {
    ok: 'body' in outcome,
    applied: outcome.applied,
    inputTokens: 'body' in outcome ? outcome.inputTokens : 0,
    outputTokens: 'body' in outcome ? outcome.outputTokens : 0,
    customId: input.customId,
    line,
  };
}

/** The error-file line of a request that never ran (window closed or batch cancelled). */
export function notRunLine(batchId: string, customId: string, reason: 'expired' | 'cancelled'): string {
  return JSON.stringify({
    id: derivedId('batch_req_', 32, batchId, customId),
    custom_id: customId,
    response: null,
    error:
      reason === 'expired'
        ? { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' }
        : { code: 'batch_cancelled', message: 'This request was not executed because the batch was cancelled.' },
  });
}

export async function syncChatCompletion(context: OpenAIContext, call: ApiCall): Promise<void> {
  const { body, seedParts, fault, repairValid } = await startSyncCall(context, call, 'openai');
  const read = readChatRequest(body, false);
  if (!read.ok) throw new EmulatorHttpError({ status: 400, ...read.error });
  if (!context.models.serves('openai', read.request.model, 'chat')) throw new EmulatorHttpError({ status: 404, ...modelNotFound(read.request.model) });
  const { answers, applied } = answerChat(read.request, seedParts, fault, context.memory, repairValid);
  countFault(context.stats.faultsInjected, applied);
  sendJson(call.response, 200, buildChatCompletion(read.request, answers, seedParts, Math.floor(context.clock() / 1000)));
}

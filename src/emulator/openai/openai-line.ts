/**
 * Runs one OpenAI request body (a batch line, or a synchronous call) and renders the batch output or error
 * line. A body the API would refuse becomes a 400 in `response.body.error` with the top-level `error` null,
 * as the live API reports it (spec A.6).
 */
import type { LineFault } from '../core/fault-decisions.js';
import { derivedId } from '../core/ids.js';
import { buildChatCompletion } from './openai-chat-completion.js';
import { readChatRequest, type ChatRequest, type OpenAIErrorBody } from './openai-chat-request.js';
import { buildEmbeddingsResponse, readEmbeddingsRequest } from './openai-embeddings.js';
import { answerRequest, type Answer, type AnswerMemory, type AppliedFault } from '../core/responder.js';
import { hashHex, type HashPart } from '../core/seeded-random.js';
import type { StagedLine } from '../core/staged-results.js';

export const SERVER_ERROR: OpenAIErrorBody = {
  message: 'The server had an error while processing your request. Sorry about that!',
  type: 'server_error',
  param: null,
  code: null,
};

export function answerChat(
  request: ChatRequest,
  seedParts: HashPart[],
  fault: LineFault,
  memory: AnswerMemory,
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
  body: unknown;
  fault: LineFault;
  memory: AnswerMemory;
  nowSeconds: number;
}

type LineOutcome =
  | { status: 200; body: Record<string, unknown>; applied: AppliedFault; inputTokens: number; outputTokens: number }
  | { status: 400 | 500; error: OpenAIErrorBody; applied: 'none' | 'line_error' };

function runBody(input: OpenAILineInput, seedParts: HashPart[]): LineOutcome {
  if (input.endpoint === '/v1/embeddings') {
    const read = readEmbeddingsRequest(input.body);
    if (!read.ok) return { status: 400, error: read.error, applied: 'none' };
    if (input.fault === 'line_error') return { status: 500, error: SERVER_ERROR, applied: 'line_error' };
    const body = buildEmbeddingsResponse(read.request);
    const tokens = (body.usage as { prompt_tokens: number }).prompt_tokens;
    return { status: 200, body, applied: 'none', inputTokens: tokens, outputTokens: 0 };
  }
  const read = readChatRequest(input.body, true);
  if (!read.ok) return { status: 400, error: read.error, applied: 'none' };
  if (input.fault === 'line_error') return { status: 500, error: SERVER_ERROR, applied: 'line_error' };
  const { answers, applied } = answerChat(read.request, seedParts, input.fault, input.memory);
  const body = buildChatCompletion(read.request, answers, seedParts, input.nowSeconds);
  const usage = body.usage as { prompt_tokens: number; completion_tokens: number };
  return { status: 200, body, applied, inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
}

export function runOpenAILine(input: OpenAILineInput): StagedLine {
  // One digest of (custom_id, body) seeds everything, so later hashes do not re-read the whole body.
  const seedParts: HashPart[] = [hashHex(input.customId, JSON.stringify(input.body))];
  const outcome = runBody(input, seedParts);
  const id = derivedId('batch_req_', 32, input.batchId, input.customId);
  const requestId = derivedId('req_', 32, input.batchId, input.customId, 'request');
  const responseBody = outcome.status === 200 ? outcome.body : { error: outcome.error };
  const line = JSON.stringify({
    id,
    custom_id: input.customId,
    response: { status_code: outcome.status, request_id: requestId, body: responseBody },
    error: null,
  });
  return {
    ok: outcome.status === 200,
    applied: outcome.applied,
    inputTokens: outcome.status === 200 ? outcome.inputTokens : 0,
    outputTokens: outcome.status === 200 ? outcome.outputTokens : 0,
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

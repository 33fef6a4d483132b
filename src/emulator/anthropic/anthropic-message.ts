/** Runs one Anthropic request (a batch request or a synchronous call) and builds the `Message` (spec B.6). */
import { readMessageParams } from './anthropic-params.js';
import type { LineFault } from '../core/fault-decisions.js';
import { derivedId } from '../core/ids.js';
import { answerRequest, type Answer, type AnswerMemory, type AnswerTarget, type AppliedFault } from '../core/responder.js';
import type { HashPart } from '../core/seeded-random.js';

const STOP_REASONS: Readonly<Record<Answer['stop'], string>> = {
  end: 'end_turn',
  length: 'max_tokens',
  refusal: 'refusal',
  tool: 'tool_use',
};

function content(answer: Answer, target: AnswerTarget, seedParts: HashPart[]): Record<string, unknown>[] {
  if (target.kind === 'tool' && answer.refusal === null) {
    return [
      {
        type: 'tool_use',
        id: derivedId('toolu_01', 22, ...seedParts, 'tool'),
        name: target.name,
        input: answer.toolInput ?? {},
        caller: { type: 'direct' },
      },
    ];
  }
  return [{ type: 'text', text: answer.text, citations: null }];
}

export function buildMessage(
  model: string,
  answer: Answer,
  target: AnswerTarget,
  seedParts: HashPart[],
  serviceTier: 'batch' | 'standard',
): Record<string, unknown> {
  return {
    id: derivedId('msg_01', 22, ...seedParts),
    type: 'message',
    role: 'assistant',
    model,
    content: content(answer, target, seedParts),
    stop_reason: STOP_REASONS[answer.stop],
    stop_sequence: null,
    stop_details: answer.refusal === null ? null : { type: 'refusal', category: null, explanation: null },
    container: null,
    usage: {
      input_tokens: answer.inputTokens,
      output_tokens: answer.outputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      server_tool_use: null,
      service_tier: serviceTier,
      inference_geo: null,
    },
  };
}

export type MessageOutcome =
  | { ok: true; message: Record<string, unknown>; applied: AppliedFault; inputTokens: number; outputTokens: number }
  | { ok: false; errorType: 'invalid_request_error' | 'api_error'; message: string; applied: 'none' | 'line_error' };

export function runAnthropicRequest(
  params: unknown,
  seedParts: HashPart[],
  fault: LineFault,
  memory: AnswerMemory,
  serviceTier: 'batch' | 'standard',
): MessageOutcome {
  const read = readMessageParams(params, serviceTier === 'batch');
  if (!read.ok) return { ok: false, errorType: 'invalid_request_error', message: read.message, applied: 'none' };
  if (fault === 'line_error') return { ok: false, errorType: 'api_error', message: 'Internal server error', applied: 'line_error' };
  const { request } = read;
  const answer = answerRequest(
    {
      seedParts,
      promptText: request.promptText,
      lastUserText: request.lastUserText,
      target: request.target,
      maxOutputTokens: request.maxOutputTokens,
      fault,
      toolInputIsObject: true,
    },
    memory,
  );
  return {
    ok: true,
    message: buildMessage(request.model, answer, request.target, seedParts, serviceTier),
    applied: answer.applied,
    inputTokens: answer.inputTokens,
    outputTokens: answer.outputTokens,
  };
}

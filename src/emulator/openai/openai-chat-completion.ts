/** Builds a `chat.completion` object from responder answers (one per choice). */
import type { ChatRequest } from './openai-chat-request.js';
import { derivedId } from '../core/ids.js';
import type { Answer } from '../core/responder.js';
import type { HashPart } from '../core/seeded-random.js';

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

export function buildChatCompletion(
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

import type { ChatMessage } from '../../domain.js';
import { toOpenAIResponseFormat } from './openai-output-schema.js';
import { toPromptInstructions } from '../../schema/prompt-instructions.js';
import type { ProviderRequest } from '../batch-provider.js';

/**
 * The `/v1/chat/completions` body for a request: shared by the OpenAI batch adapter (one JSONL line's
 * `body`) and the OpenAI-compatible synchronous provider (vLLM, Ollama, …).
 */
export function buildOpenAIChatBody(request: ProviderRequest, options: { maxTokensKey: 'max_tokens' | 'max_completion_tokens' }): Record<string, unknown> {
  const { max_tokens, ...params } = request.params;
  const body: Record<string, unknown> = { model: request.model, messages: withPromptInstructions(request), ...params };
  if (max_tokens !== undefined) body[options.maxTokensKey] = max_tokens;
  if (request.output?.mode === 'native') body.response_format = responseFormatOf(request.output);
  return body;
}

const responseFormats = new WeakMap<object, unknown>();

/** Converted once per schema object: a step's requests share one schema, and the strict transform walks all of it. */
function responseFormatOf(output: NonNullable<ProviderRequest['output']>): unknown {
  let format = responseFormats.get(output.jsonSchema);
  if (!format) {
    format = toOpenAIResponseFormat(output);
    responseFormats.set(output.jsonSchema, format);
  }
  return format;
}

/** In `prompt` mode the schema travels in the system message (servers without structured output). */
function withPromptInstructions(request: ProviderRequest): ChatMessage[] {
  if (request.output?.mode !== 'prompt') return request.messages;
  const instructions = toPromptInstructions(request.output);
  const [first, ...rest] = request.messages;
  if (first?.role === 'system') return [{ role: 'system', content: `${first.content}\n\n${instructions}` }, ...rest];
  return [{ role: 'system', content: instructions }, ...request.messages];
}

import type { ChatMessage } from '../../domain.js';
import { toOpenAIResponseFormat } from './openai-output-schema.js';
import { toPromptInstructions } from '../../schema/prompt-instructions.js';
import type { ProviderRequest } from '../batch-provider.js';
import { messageTextJson } from '../../prompt/message-text-json.js';
import { perStepConstant } from '../step-constant.js';

type MaxTokensKey = 'max_tokens' | 'max_completion_tokens';

/**
 * The `/v1/chat/completions` body for a request: shared by the OpenAI batch adapter (one JSONL line's
 * `body`) and the OpenAI-compatible synchronous provider (vLLM, Ollama, …).
 */
export function buildOpenAIChatBody(request: ProviderRequest, options: { maxTokensKey: MaxTokensKey }): Record<string, unknown> {
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

/**
 * `JSON.stringify(buildOpenAIChatBody(request, { maxTokensKey }))`, with what follows the messages
 * (params, response_format) serialised once per step: planning a 1M-request step spent a sixth of
 * its time serialising the response_format schema anew for every line. Same bytes:
 * test/providers/openai-batch-line.test.ts.
 */
export function chatBodyJson(request: ProviderRequest, maxTokensKey: MaxTokensKey): string {
  const tail = request.output?.mode === 'prompt' ? undefined : chatBodyTails[maxTokensKey](request);
  if (tail === undefined) return JSON.stringify(buildOpenAIChatBody(request, { maxTokensKey }));
  return `{"model":${JSON.stringify(request.model)},"messages":${messagesJson(request.messages)}${tail}`;
}

/**
 * What a chat body holds after its messages, from the comma to the closing brace, or undefined when
 * the params would reorder or replace `model` and `messages` (then the whole object is serialised).
 */
function chatBodyTail(maxTokensKey: MaxTokensKey): (request: ProviderRequest) => string | undefined {
  return perStepConstant((request) => {
    const messages: ProviderRequest['messages'] = [];
    const body = buildOpenAIChatBody({ ...request, messages }, { maxTokensKey });
    const names = Object.keys(body);
    // A `model` in the params would replace the request's model, which is not part of the memo's key.
    if (names[0] !== 'model' || names[1] !== 'messages' || Object.hasOwn(request.params, 'model') || body.messages !== messages) return undefined;
    delete body.model;
    delete body.messages;
    const rest = JSON.stringify(body);
    return rest === '{}' ? '}' : `,${rest.slice(1)}`;
  });
}

const chatBodyTails: Record<MaxTokensKey, (request: ProviderRequest) => string | undefined> = {
  max_tokens: chatBodyTail('max_tokens'),
  max_completion_tokens: chatBodyTail('max_completion_tokens'),
};

/**
 * `JSON.stringify(messages)`, with the text of each `{ role, content }` message (those keys, that
 * order, nothing else) serialised through `messageTextJson`: the request key escaped the same text
 * just before. Any other message goes through `JSON.stringify`.
 */
function messagesJson(messages: readonly ChatMessage[]): string {
  let text = '[';
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index]!;
    if (index > 0) text += ',';
    text += isRoleContentMessage(message) ? `{"role":${JSON.stringify(message.role)},"content":${messageTextJson(message.content)}}` : JSON.stringify(message);
  }
  return `${text}]`;
}

function isRoleContentMessage(message: ChatMessage): boolean {
  if (typeof message.role !== 'string' || typeof message.content !== 'string' || Object.getPrototypeOf(message) !== Object.prototype) return false;
  let position = 0;
  for (const name in message) {
    if (name !== (position === 0 ? 'role' : position === 1 ? 'content' : undefined)) return false;
    position++;
  }
  return position === 2;
}

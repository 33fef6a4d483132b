/**
 * Reads Anthropic Messages params the way the API checks them when a batch request runs (spec B.3): a
 * problem becomes an `errored` result with invalid_request_error, never a failed create.
 */
import { findAnthropicSchemaProblem } from './anthropic-schema-check.js';
import { contentText } from '../openai/openai-chat-request.js';
import { findPromptSchema } from '../core/prompt-schema.js';
import type { AnswerTarget } from '../core/responder.js';
import { isSchemaNode } from '../core/schema-data.js';

export interface MessageRequest {
  model: string;
  promptText: string;
  lastUserText: string;
  target: AnswerTarget;
  maxOutputTokens: number;
}

export type MessageRequestResult = { ok: true; request: MessageRequest } | { ok: false; message: string };

const ROLES = new Set(['user', 'assistant', 'system']);
/** Params the docs list as refused inside a batch (spec B.3). */
const BATCH_REFUSED = ['stream', 'speed', 'store', 'cache_hint', 'context_hint', 'previous_thread_event_id'];

function fail(message: string): MessageRequestResult {
  return { ok: false, message };
}

function readTarget(params: Record<string, unknown>, systemText: string): AnswerTarget | MessageRequestResult {
  const config = params.output_config;
  if (isSchemaNode(config) && config.format !== undefined && config.format !== null) {
    const format = config.format;
    if (!isSchemaNode(format) || format.type !== 'json_schema') return fail("output_config.format.type: Input should be 'json_schema'");
    const problem = findAnthropicSchemaProblem('output_config.format.schema', format.schema);
    if (problem) return fail(problem);
    return { kind: 'json_schema', schema: format.schema };
  }
  const tools = Array.isArray(params.tools) ? params.tools.filter(isSchemaNode) : [];
  const choice = params.tool_choice;
  if (isSchemaNode(choice) && (choice.type === 'tool' || choice.type === 'any')) {
    const tool = choice.type === 'tool' ? tools.find((entry) => entry.name === choice.name) : tools[0];
    if (!tool || typeof tool.name !== 'string') {
      return fail(choice.type === 'tool' ? `tool_choice: no tool named '${String(choice.name)}' in tools` : 'tool_choice: any requires at least one tool');
    }
    if (!isSchemaNode(tool.input_schema)) return fail(`tools.${tools.indexOf(tool)}.input_schema: Field required`);
    if (tool.strict === true) {
      const problem = findAnthropicSchemaProblem(`tools.${tools.indexOf(tool)}.input_schema`, tool.input_schema);
      if (problem) return fail(problem);
    }
    return { kind: 'tool', name: tool.name, schema: tool.input_schema };
  }
  const promptSchema = findPromptSchema(systemText);
  return promptSchema ? { kind: 'prompt_schema', schema: promptSchema } : { kind: 'text' };
}

export function readMessageParams(params: unknown, inBatch: boolean): MessageRequestResult {
  if (!isSchemaNode(params)) return fail('params: Input should be a valid dictionary');
  if (typeof params.model !== 'string' || params.model.length === 0) return fail('model: Field required');
  if (params.max_tokens === undefined) return fail('max_tokens: Field required');
  if (!Number.isInteger(params.max_tokens) || (params.max_tokens as number) < 1) {
    return fail('max_tokens: Input should be greater than or equal to 1');
  }
  if (!Array.isArray(params.messages)) return fail('messages: Field required');
  if (params.messages.length === 0) return fail('messages: List should have at least 1 item after validation, not 0');
  if (inBatch) {
    const refused = BATCH_REFUSED.find((key) => params[key] !== undefined && params[key] !== false);
    if (refused) return fail(`${refused}: not supported in Message Batches`);
  }
  const temperature = params.temperature;
  if (temperature !== undefined && (typeof temperature !== 'number' || temperature < 0 || temperature > 1)) {
    return fail('temperature: Input should be less than or equal to 1');
  }
  const texts: string[] = [];
  const systemTexts: string[] = [contentText(params.system)];
  let lastUserText = '';
  for (const [index, message] of params.messages.entries()) {
    if (!isSchemaNode(message) || typeof message.role !== 'string' || !ROLES.has(message.role)) {
      return fail(`messages.${index}.role: Input should be 'user', 'assistant' or 'system'`);
    }
    if (message.content === undefined) return fail(`messages.${index}.content: Field required`);
    const text = contentText(message.content);
    texts.push(text);
    if (message.role === 'system') systemTexts.push(text);
    if (message.role === 'user') lastUserText = text;
  }
  const systemText = systemTexts.join('\n');
  const target = readTarget(params, systemText);
  if ('ok' in target) return target;
  return {
    ok: true,
    request: {
      model: params.model,
      promptText: [systemText, ...texts].join('\n'),
      lastUserText,
      target,
      maxOutputTokens: params.max_tokens as number,
    },
  };
}

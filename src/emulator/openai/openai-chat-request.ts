/**
 * Reads a Chat Completions body the way the API would at run time: the checks that make a request fail with
 * 400 (in a batch, a line of the error file), then what the responder needs (prompt text, target, limits).
 */
import { findStrictSchemaProblem } from './openai-strict-schema.js';
import { contentText, findPromptSchema } from '../core/prompt-schema.js';
import type { AnswerTarget } from '../core/responder.js';
import { isSchemaNode } from '../core/schema-data.js';

export interface OpenAIErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

export interface ChatRequest {
  model: string;
  promptText: string;
  lastUserText: string;
  target: AnswerTarget;
  maxOutputTokens: number | null;
  choices: number;
  /** A forced tool call named by tool_choice answers with finish_reason 'stop'; 'required' with 'tool_calls'. */
  toolChoiceForced: 'named' | 'required' | null;
}

export type ChatRequestResult = { ok: true; request: ChatRequest } | { ok: false; error: OpenAIErrorBody };

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);
const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

function invalid(message: string, param: string | null, code: string | null = null): ChatRequestResult {
  return { ok: false, error: { message, type: 'invalid_request_error', param, code } };
}

function checkNumber(body: Record<string, unknown>, key: string, min: number, max: number): ChatRequestResult | null {
  const value = body[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    return invalid(`Invalid '${key}': expected a number between ${min} and ${max}, got ${JSON.stringify(value)}.`, key, 'invalid_value');
  }
  return null;
}

function readTarget(body: Record<string, unknown>, systemText: string, allText: string): AnswerTarget | ChatRequestResult {
  const promptSchema = findPromptSchema(systemText);
  const format = body.response_format;
  if (format !== undefined && format !== null) {
    if (!isSchemaNode(format) || typeof format.type !== 'string') {
      return invalid("Invalid 'response_format': expected an object with a 'type'.", 'response_format');
    }
    if (format.type === 'json_schema') {
      const spec = format.json_schema;
      if (!isSchemaNode(spec)) return invalid("Missing required parameter: 'response_format.json_schema'.", 'response_format.json_schema', 'missing_required_parameter');
      if (typeof spec.name !== 'string' || !NAME_PATTERN.test(spec.name)) {
        return invalid("Invalid 'response_format.json_schema.name': must match ^[a-zA-Z0-9_-]{1,64}$.", 'response_format.json_schema.name', 'invalid_value');
      }
      const schema = spec.schema ?? {};
      if (spec.strict === true) {
        const problem = findStrictSchemaProblem(spec.name, schema);
        if (problem) return invalid(problem, 'response_format', 'invalid_json_schema');
      }
      return { kind: 'json_schema', schema };
    }
    if (format.type === 'json_object') {
      if (!/json/i.test(allText)) {
        return invalid("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", 'messages');
      }
      return promptSchema ? { kind: 'json_schema', schema: promptSchema } : { kind: 'json_object' };
    }
    if (format.type !== 'text') {
      return invalid(`Invalid value: '${format.type}'. Supported values are: 'text', 'json_object' and 'json_schema'.`, 'response_format.type', 'invalid_value');
    }
  }
  const forced = readForcedTool(body);
  if (forced) return forced;
  return promptSchema ? { kind: 'prompt_schema', schema: promptSchema } : { kind: 'text' };
}

function readForcedTool(body: Record<string, unknown>): AnswerTarget | ChatRequestResult | null {
  const tools = Array.isArray(body.tools) ? body.tools.filter(isSchemaNode) : [];
  const choice = body.tool_choice;
  let name: string | undefined;
  if (isSchemaNode(choice) && isSchemaNode(choice.function) && typeof choice.function.name === 'string') {
    name = choice.function.name;
  } else if (choice === 'required' && tools.length > 0) {
    const first = tools[0]?.function;
    name = isSchemaNode(first) && typeof first.name === 'string' ? first.name : undefined;
  } else {
    return null;
  }
  const tool = tools.find((entry) => isSchemaNode(entry.function) && entry.function.name === name);
  if (!tool || !isSchemaNode(tool.function) || name === undefined) {
    return invalid(`Invalid 'tool_choice': no function named '${String(name)}' in 'tools'.`, 'tool_choice');
  }
  const schema = tool.function.parameters ?? { type: 'object', properties: {}, additionalProperties: false };
  if (tool.function.strict === true) {
    const problem = findStrictSchemaProblem(name, schema, 'function');
    if (problem) return invalid(problem, `tools[${tools.indexOf(tool)}].function.parameters`, 'invalid_function_parameters');
  }
  return { kind: 'tool', name, schema };
}

/** Checks a chat body; `inBatch` adds the batch-only rule that streaming is refused. */
export function readChatRequest(body: unknown, inBatch: boolean): ChatRequestResult {
  if (!isSchemaNode(body)) return invalid('The request body must be a JSON object.', null);
  if (typeof body.model !== 'string' || body.model.length === 0) {
    return invalid('you must provide a model parameter', null);
  }
  if (body.stream === true) {
    return invalid(
      inBatch ? 'Streaming is not supported for batch requests.' : 'The emulator does not stream; send stream: false.',
      'stream',
    );
  }
  if (!Array.isArray(body.messages)) return invalid("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  if (body.messages.length === 0) {
    return invalid("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'messages', 'empty_array');
  }
  const texts: string[] = [];
  const systemTexts: string[] = [];
  let lastUserText = '';
  for (const [index, message] of body.messages.entries()) {
    if (!isSchemaNode(message) || typeof message.role !== 'string') {
      return invalid(`Missing required parameter: 'messages[${index}].role'.`, `messages[${index}].role`, 'missing_required_parameter');
    }
    if (!ROLES.has(message.role)) {
      return invalid(`Invalid value: '${message.role}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`, `messages[${index}].role`, 'invalid_value');
    }
    if (message.content === undefined && message.role !== 'assistant') {
      return invalid(`Missing required parameter: 'messages[${index}].content'.`, `messages[${index}].content`, 'missing_required_parameter');
    }
    const text = contentText(message.content);
    texts.push(text);
    if (message.role === 'system' || message.role === 'developer') systemTexts.push(text);
    if (message.role === 'user') lastUserText = text;
  }
  for (const [key, min, max] of [['temperature', 0, 2], ['top_p', 0, 1], ['n', 1, 128]] as const) {
    const problem = checkNumber(body, key, min, max);
    if (problem) return problem;
  }
  let maxOutputTokens: number | null = null;
  for (const key of ['max_tokens', 'max_completion_tokens']) {
    const value = body[key];
    if (value === undefined || value === null) continue;
    if (!Number.isInteger(value) || (value as number) < 1) {
      return invalid(`Invalid '${key}': integer below minimum value. Expected a value >= 1, but got ${JSON.stringify(value)} instead.`, key, 'integer_below_min_value');
    }
    maxOutputTokens = value as number;
  }
  const allText = texts.join('\n');
  const target = readTarget(body, systemTexts.join('\n'), allText);
  if ('ok' in target) return target;
  const forcedBy = target.kind !== 'tool' ? null : body.tool_choice === 'required' ? 'required' : 'named';
  return {
    ok: true,
    request: {
      model: body.model,
      promptText: allText,
      lastUserText,
      target,
      maxOutputTokens,
      choices: typeof body.n === 'number' ? Math.floor(body.n) : 1,
      toolChoiceForced: forcedBy,
    },
  };
}

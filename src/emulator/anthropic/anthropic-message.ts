/**
 * Runs one Anthropic request, a batch request or a synchronous `POST /v1/messages`, and builds the `Message`.
 * The params are read the way the API checks them when a batch request runs: a problem becomes an `errored`
 * result with invalid_request_error, never a failed create (and a 400 for a synchronous call). A
 * synchronous call with `stream: true` gets the same Message as server-sent events (anthropic-stream.ts).
 */
import { echoCredentials, lineErrorKind, type LineErrorKind } from '../core/credential-faults.js';
import type { ApiCall } from '../core/emulator-context.js';
import type { LineFault } from '../core/fault-decisions.js';
import { EmulatorHttpError, sendJson } from '../core/http-io.js';
import { derivedId } from '../core/ids.js';
import { contentText, findPromptSchema } from '../core/prompt-schema.js';
import { answerRequest, type Answer, type AnswerMemory, type AnswerTarget, type AppliedFault } from '../core/responder.js';
import { isSchemaNode } from '../core/schema-data.js';
import type { HashPart } from '../core/seeded-random.js';
import { countFault } from '../core/staged-results.js';
import { EXTRA_MODELS_HINT, type ServedModels } from '../core/served-models.js';
import { startSyncCall } from '../core/sync-call.js';
import type { AnthropicContext } from './anthropic-batch-record.js';
import { findAnthropicSchemaProblem } from './anthropic-schema-check.js';
import { sendMessageStream } from './anthropic-stream.js';

interface MessageRequest {
  model: string;
  promptText: string;
  lastUserText: string;
  target: AnswerTarget;
  maxOutputTokens: number;
}

type MessageRequestResult = { ok: true; request: MessageRequest } | { ok: false; message: string };

const ROLES = new Set(['user', 'assistant', 'system']);
/** Params the docs list as refused inside a batch. */
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

function readMessageParams(params: unknown, inBatch: boolean): MessageRequestResult {
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
  | { ok: false; errorType: string; message: string; applied: 'none' | 'line_error' };

/** The error type and message a `line_error` fault fails with, worded by its HTTP status. */
const LINE_ERRORS: Readonly<Record<LineErrorKind, { errorType: string; message: string }>> = {
  auth: { errorType: 'authentication_error', message: 'invalid x-api-key' },
  permission: { errorType: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  invalid: { errorType: 'invalid_request_error', message: 'Injected invalid request.' },
  server: { errorType: 'api_error', message: 'Internal server error' },
};

export function runAnthropicRequest(
  params: unknown,
  seedParts: HashPart[],
  fault: LineFault,
  context: { memory: AnswerMemory; models: ServedModels },
  serviceTier: 'batch' | 'standard',
  lineError: { status: number; credentials?: string | undefined } = { status: 500 },
  repairValid = true,
): MessageOutcome {
  const { memory } = context;
  const read = readMessageParams(params, serviceTier === 'batch');
  if (!read.ok) return { ok: false, errorType: 'invalid_request_error', message: read.message, applied: 'none' };
  // A model the API does not have: not_found_error, synchronously a 404, in a batch an errored result.
  if (!context.models.serves('anthropic', read.request.model, 'chat')) {
    return { ok: false, errorType: 'not_found_error', message: `model: ${read.request.model}${EXTRA_MODELS_HINT}`, applied: 'none' };
  }
  if (fault === 'line_error') {
    const failure = LINE_ERRORS[lineErrorKind(lineError.status)];
    return { ok: false, errorType: failure.errorType, message: echoCredentials(failure.message, lineError.credentials), applied: 'line_error' };
  }
  const { request } = read;
  const answer = answerRequest(
    {
      seedParts,
      promptText: request.promptText,
      lastUserText: request.lastUserText,
      target: request.target,
      maxOutputTokens: request.maxOutputTokens,
      fault,
      repairValid,
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

export async function syncAnthropicMessage(context: AnthropicContext, call: ApiCall): Promise<void> {
  const { body, seedParts, fault, repairValid } = await startSyncCall(context, call, 'anthropic');
  const outcome = runAnthropicRequest(body, seedParts, fault, context, 'standard', undefined, repairValid);
  if (!outcome.ok) throw new EmulatorHttpError({ status: outcome.errorType === 'not_found_error' ? 404 : 400, type: outcome.errorType, message: outcome.message });
  countFault(context.stats.faultsInjected, outcome.applied);
  if (isSchemaNode(body) && body.stream === true) sendMessageStream(call.response, outcome.message, call.requestId);
  else sendJson(call.response, 200, outcome.message);
}

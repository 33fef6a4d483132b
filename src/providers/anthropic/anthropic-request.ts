/**
 * One request of a Message Batch (`{custom_id, params}`) from a provider-neutral request. System
 * messages move to the top-level `system` parameter; the output schema becomes `output_config`
 * (native JSON outputs) or a single forced tool, by the step's structured-output mode.
 */
import { toAnthropicForcedTool, toAnthropicOutputConfig } from './anthropic-output-schema.js';
import { toPromptInstructions } from '../../schema/prompt-instructions.js';
import type { ProviderRequest } from '../batch-provider.js';
import { messageTextJson } from '../../prompt/message-text-json.js';
import { allTextMessages, perStepConstant } from '../step-constant.js';

/** Messages API requires max_tokens; batches reject 0. Used when the recipe sets none. */
export const DEFAULT_MAX_TOKENS = 4096;

export function buildAnthropicParams(request: ProviderRequest): Record<string, unknown> {
  const systemParts = request.messages.filter((message) => message.role === 'system').map((message) => message.content);
  if (request.output?.mode === 'prompt') systemParts.push(toPromptInstructions(request.output));
  const messages = request.messages.filter((message) => message.role !== 'system').map(({ role, content }) => ({ role, content }));
  const { temperature, top_p, max_tokens, stop } = request.params;
  const params: Record<string, unknown> = {
    model: request.model,
    max_tokens: max_tokens ?? DEFAULT_MAX_TOKENS,
    messages,
  };
  if (systemParts.length > 0) params.system = systemParts.join('\n\n');
  // SDK 1.13 no longer types temperature/top_p (spec H): sent only when the recipe asks, so a model
  // that refuses them fails per request with the provider's own message.
  if (temperature !== undefined) params.temperature = temperature;
  if (top_p !== undefined) params.top_p = top_p;
  if (stop !== undefined) params.stop_sequences = Array.isArray(stop) ? stop : [stop];
  if (request.output?.mode === 'native') params.output_config = memoised(outputConfigs, request.output, toAnthropicOutputConfig);
  if (request.output?.mode === 'tool') Object.assign(params, memoised(forcedTools, request.output, toAnthropicForcedTool));
  return params;
}

const outputConfigs = new WeakMap<object, unknown>();
const forcedTools = new WeakMap<object, unknown>();

/** One conversion per schema object (a step's requests share it) instead of one per request. */
function memoised<T>(cache: WeakMap<object, unknown>, output: NonNullable<ProviderRequest['output']>, convert: (output: NonNullable<ProviderRequest['output']>) => T): T {
  if (!cache.has(output.jsonSchema)) cache.set(output.jsonSchema, convert(output));
  return cache.get(output.jsonSchema) as T;
}

/**
 * The batch line `JSON.stringify({ custom_id, params: buildAnthropicParams(request) })`, with what
 * follows `system` (sampling parameters, the output config or forced tool) and `max_tokens`
 * serialised once per step (`perStepConstant`). Same bytes: test/providers/anthropic-batch-line.test.ts.
 */
export function encodeAnthropicBatchLine(request: ProviderRequest): string {
  if (!allTextMessages(request.messages)) return JSON.stringify({ custom_id: request.customId, params: buildAnthropicParams(request) });
  const { maxTokens, promptInstructions, tail } = anthropicConstant(request);
  let messages = '';
  let system: string | undefined;
  for (const { role, content } of request.messages) {
    if (role === 'system') system = system === undefined ? content : `${system}\n\n${content}`;
    else messages += `${messages === '' ? '' : ','}{"role":${JSON.stringify(role)},"content":${messageTextJson(content)}}`;
  }
  if (promptInstructions !== undefined) system = system === undefined ? promptInstructions : `${system}\n\n${promptInstructions}`;
  const systemJson = system === undefined ? '' : `,"system":${messageTextJson(system)}`;
  return `{"custom_id":${JSON.stringify(request.customId)},"params":{"model":${JSON.stringify(request.model)},"max_tokens":${maxTokens},"messages":[${messages}]${systemJson}${tail}}}`;
}

const anthropicConstant = perStepConstant((request) => {
  const params = buildAnthropicParams({ ...request, messages: [] });
  const maxTokens = JSON.stringify(params.max_tokens);
  // Keys after `system`, in the order buildAnthropicParams adds them (none is integer-like, so deleting keeps it).
  for (const name of ['model', 'max_tokens', 'messages', 'system']) delete params[name];
  const rest = JSON.stringify(params);
  return {
    maxTokens,
    promptInstructions: request.output?.mode === 'prompt' ? toPromptInstructions(request.output) : undefined,
    tail: rest === '{}' ? '' : `,${rest.slice(1, -1)}`,
  };
});

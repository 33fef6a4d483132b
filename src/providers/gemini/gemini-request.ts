/**
 * Provider-neutral requests → the Gemini REST wire form of one batch line, and that line → the SDK's
 * `InlinedRequest` for small shards sent inline.
 *
 * A shard line is `{"key": customId, "request": GenerateContentRequest | EmbedContentRequest}` (REST
 * field names, camelCase). Chat: system messages become `systemInstruction`; user/assistant turns
 * become `contents` with roles user/model; sampling parameters go into `generationConfig`.
 */
import type { InlinedRequest } from '@google/genai';
import { toPromptInstructions } from '../../schema/prompt-instructions.js';
import type { ProviderRequest } from '../batch-provider.js';
import { toGeminiResponseFormat } from './gemini-output-schema.js';
import { messageTextJson } from '../../prompt/message-text-json.js';
import { allTextMessages, perStepConstant } from '../step-constant.js';

export interface GeminiContent {
  role?: 'user' | 'model';
  parts: { text: string }[];
}

export interface GeminiGenerateRequest {
  contents: GeminiContent[];
  systemInstruction?: GeminiContent;
  generationConfig?: Record<string, unknown>;
}

export interface GeminiEmbedRequest {
  content: GeminiContent;
  outputDimensionality?: number;
}

export interface GeminiBatchLine {
  key: string;
  request: GeminiGenerateRequest | GeminiEmbedRequest;
}

export function buildGeminiLine(request: ProviderRequest): GeminiBatchLine {
  return { key: request.customId, request: request.embedding ? buildEmbedRequest(request.embedding) : buildGenerateRequest(request) };
}

/**
 * `JSON.stringify(buildGeminiLine(request))`, with `generationConfig` (sampling parameters and the
 * response schema) serialised once per step (`perStepConstant`). Converting and serialising the
 * schema for every line was four fifths of planning a Gemini step. Same bytes:
 * test/providers/gemini-batch-line.test.ts.
 */
export function encodeGeminiBatchLine(request: ProviderRequest): string {
  if (request.embedding || !allTextMessages(request.messages)) return JSON.stringify(buildGeminiLine(request));
  const { promptInstructions, generationConfig } = geminiConstant(request);
  let contents = '';
  let system: string | undefined;
  for (const { role, content } of request.messages) {
    if (role === 'system') system = system === undefined ? content : `${system}\n\n${content}`;
    else contents += `${contents === '' ? '' : ','}{"role":${role === 'assistant' ? '"model"' : '"user"'},"parts":[{"text":${messageTextJson(content)}}]}`;
  }
  if (promptInstructions !== undefined) system = system === undefined ? promptInstructions : `${system}\n\n${promptInstructions}`;
  const systemJson = system === undefined ? '' : `,"systemInstruction":{"parts":[{"text":${messageTextJson(system)}}]}`;
  const configJson = generationConfig === undefined ? '' : `,"generationConfig":${generationConfig}`;
  return `{"key":${JSON.stringify(request.customId)},"request":{"contents":[${contents}]${systemJson}${configJson}}}`;
}

const geminiConstant = perStepConstant((request) => {
  const config = buildGenerationConfig(request);
  return {
    promptInstructions: request.output?.mode === 'prompt' ? toPromptInstructions(request.output) : undefined,
    generationConfig: Object.keys(config).length > 0 ? JSON.stringify(config) : undefined,
  };
});

function buildEmbedRequest(embedding: NonNullable<ProviderRequest['embedding']>): GeminiEmbedRequest {
  return {
    content: { parts: [{ text: embedding.input }] },
    ...(embedding.dimensions !== undefined ? { outputDimensionality: embedding.dimensions } : {}),
  };
}

export function buildGenerateRequest(request: ProviderRequest): GeminiGenerateRequest {
  const systemParts = request.messages.filter((message) => message.role === 'system').map((message) => message.content);
  if (request.output?.mode === 'prompt') systemParts.push(toPromptInstructions(request.output));
  const contents = request.messages
    .filter((message) => message.role !== 'system')
    .map((message): GeminiContent => ({ role: message.role === 'assistant' ? 'model' : 'user', parts: [{ text: message.content }] }));
  const generationConfig = buildGenerationConfig(request);
  return {
    contents,
    ...(systemParts.length > 0 ? { systemInstruction: { parts: [{ text: systemParts.join('\n\n') }] } } : {}),
    ...(Object.keys(generationConfig).length > 0 ? { generationConfig } : {}),
  };
}

function buildGenerationConfig(request: ProviderRequest): Record<string, unknown> {
  const { temperature, top_p, max_tokens, seed, stop, presence_penalty, frequency_penalty } = request.params;
  const config: Record<string, unknown> = {};
  if (temperature !== undefined) config.temperature = temperature;
  if (top_p !== undefined) config.topP = top_p;
  if (max_tokens !== undefined) config.maxOutputTokens = max_tokens;
  if (seed !== undefined) config.seed = seed;
  if (stop !== undefined) config.stopSequences = Array.isArray(stop) ? stop : [stop];
  if (presence_penalty !== undefined) config.presencePenalty = presence_penalty;
  if (frequency_penalty !== undefined) config.frequencyPenalty = frequency_penalty;
  if (request.output?.mode === 'native') Object.assign(config, toGeminiResponseFormat(request.output));
  return config;
}

/**
 * A chat shard line as the SDK's inline request. The SDK takes `GenerateContentConfig` (generation
 * parameters flattened, `systemInstruction` beside them) and rebuilds the REST request from it; the
 * key travels in `metadata.key`, which the API echoes on each inline response.
 */
export function toInlinedRequest(line: { key: string; request: GeminiGenerateRequest & Record<string, unknown> }): InlinedRequest {
  const { contents, systemInstruction, generationConfig, ...rest } = line.request;
  return {
    contents,
    metadata: { key: line.key },
    config: { ...generationConfig, ...rest, ...(systemInstruction ? { systemInstruction } : {}) },
  };
}

/** Embedding lines carry `content` (one), chat lines `contents` (a list). */
export function isEmbedRequest(request: unknown): request is GeminiEmbedRequest {
  return typeof request === 'object' && request !== null && 'content' in request && !('contents' in request);
}

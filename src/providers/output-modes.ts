import type { ProviderId } from '../domain.js';
import type { StructuredOutputMode } from './batch-provider.js';

/**
 * The structured-output mode used when a step says `structured_output: auto`.
 * - openai: `response_format` json_schema, strict (native).
 * - anthropic: `output_config.format` json_schema (native, GA in @anthropic-ai/sdk 1.13).
 * - gemini: `responseJsonSchema` + `responseMimeType: application/json` (native).
 * - openai-compatible: `response_format` json_schema, which vLLM, Ollama, llama.cpp server and
 *   LM Studio accept; `structured_output: prompt` is the fallback for servers that do not.
 */
export function defaultOutputMode(provider: ProviderId): StructuredOutputMode {
  switch (provider) {
    case 'openai':
    case 'anthropic':
    case 'gemini':
    case 'openai-compatible':
      return 'native';
  }
}

/** Which modes each provider can do at all (a recipe asking for another is an error). */
export const SUPPORTED_OUTPUT_MODES: Record<ProviderId, readonly StructuredOutputMode[]> = {
  openai: ['native', 'prompt'],
  anthropic: ['native', 'tool', 'prompt'],
  gemini: ['native', 'prompt'],
  'openai-compatible': ['native', 'prompt'],
};

/**
 * What the emulator reads from prompt text. Prompt-only structured output: a recipe for a model without a
 * structured-output parameter puts the JSON Schema in the system prompt inside a fenced json block. The
 * emulator then answers like such models do, with a sentence around a fenced block, so clients must extract
 * the JSON from the text.
 */
import { isSchemaNode, type SchemaNode } from './schema-data.js';

const FENCED_JSON = /```json[ \t]*\r?\n([\s\S]*?)```/g;

/** The first fenced json block of `text` that holds a JSON Schema (an object with `type` or `properties`). */
export function findPromptSchema(text: string): SchemaNode | undefined {
  for (const match of text.matchAll(FENCED_JSON)) {
    try {
      const parsed: unknown = JSON.parse(match[1] ?? '');
      if (isSchemaNode(parsed) && ('type' in parsed || 'properties' in parsed)) return parsed;
    } catch {
      // Not JSON: an example or prose inside a fence, keep looking.
    }
  }
  return undefined;
}

export function wrapInFence(intro: string, json: string): string {
  return `${intro}\n\n\`\`\`json\n${json}\n\`\`\``;
}

/** Token count the emulator reports: about 1.3 tokens per word, at least 1. */
export function countTokens(text: string): number {
  const words = text.match(/[A-Za-z0-9]+/g)?.length ?? 0;
  return Math.max(1, Math.round(words * 1.3));
}

/** Text of an OpenAI or Anthropic message `content`: a string, or the text parts of an array. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isSchemaNode(part) && typeof part.text === 'string' ? part.text : ''))
    .filter((text) => text.length > 0)
    .join('\n');
}

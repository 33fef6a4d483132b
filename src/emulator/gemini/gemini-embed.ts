/**
 * One Gemini `EmbedContentRequest` of a batch (`{content: {parts: [{text}]}, outputDimensionality?,
 * taskType?, title?}`), answered with the same deterministic unit vectors as OpenAI embeddings (the
 * responder's embedText: hashed bag of words, so near-identical texts get near-identical vectors), at
 * `outputDimensionality` or the model's full size.
 */
import type { LineFault } from '../core/fault-decisions.js';
import { countTokens } from '../core/prompt-schema.js';
import { embedText } from '../core/responder.js';
import { isSchemaNode } from '../core/schema-data.js';
import type { GeminiLineOutcome } from './gemini-generate.js';

const FIELDS = new Set(['model', 'content', 'taskType', 'title', 'outputDimensionality']);
const TASK_TYPES = new Set([
  'TASK_TYPE_UNSPECIFIED', 'RETRIEVAL_QUERY', 'RETRIEVAL_DOCUMENT', 'SEMANTIC_SIMILARITY', 'CLASSIFICATION', 'CLUSTERING',
  'QUESTION_ANSWERING', 'FACT_VERIFICATION', 'CODE_RETRIEVAL_QUERY',
]);

/** gemini-embedding-001 gives 3072 values (Matryoshka: any smaller size on request); the older text models 768. */
export function fullDimensions(model: string): number {
  return /text-embedding-00[0-4]|embedding-001$/.test(model) && !model.includes('gemini-embedding') ? 768 : 3072;
}

function readEmbedRequest(request: unknown, model: string): { text: string; dimensions: number } | string {
  if (!isSchemaNode(request)) return '* EmbedContentRequest: the request must be a JSON object.';
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request)) {
    const name = key.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
    if (!FIELDS.has(name)) return `Invalid JSON payload received. Unknown name "${key}" at 'embed_content_request': Cannot find field.`;
    fields[name] = value;
  }
  const content = fields.content;
  const parts = isSchemaNode(content) && Array.isArray(content.parts) ? content.parts : [];
  const text = parts.map((part) => (isSchemaNode(part) && typeof part.text === 'string' ? part.text : '')).join(' ').trim();
  if (text === '') return '* EmbedContentRequest.content: content is not specified or has no text.';
  if (fields.taskType !== undefined && !TASK_TYPES.has(String(fields.taskType))) return `* EmbedContentRequest.task_type: unknown task type ${JSON.stringify(fields.taskType)}.`;
  const full = fullDimensions(model);
  const dimensions = fields.outputDimensionality ?? full;
  if (!Number.isInteger(dimensions) || (dimensions as number) < 1 || (dimensions as number) > full) {
    return `* EmbedContentRequest.output_dimensionality: must be an integer between 1 and ${full}, got ${JSON.stringify(dimensions)}.`;
  }
  return { text, dimensions: dimensions as number };
}

/** Content faults have nothing to bend in a vector; only `line_error` applies. */
export function runEmbedRequest(request: unknown, model: string, fault: LineFault): GeminiLineOutcome {
  const read = readEmbedRequest(request, model);
  if (typeof read === 'string') return { ok: false, problem: 'invalid', message: read, applied: 'none' };
  if (fault === 'line_error') return { ok: false, problem: 'internal', message: 'Internal error encountered.', applied: 'line_error' };
  const tokens = countTokens(read.text);
  return {
    ok: true,
    body: { embedding: { values: embedText(read.text, read.dimensions) }, tokenCount: String(tokens) },
    applied: 'none',
    inputTokens: tokens,
    outputTokens: 0,
  };
}

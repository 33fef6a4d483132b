/**
 * One Gemini `GenerateContentRequest` (a batch line's `request`, REST field names): the checks that make
 * the API refuse it (a field it does not know, a value out of range, an unsupported response schema), then
 * the seeded answer as a `GenerateContentResponse`. Proto JSON takes camelCase and snake_case field names
 * alike, so both are accepted.
 *
 * Refusals are candidates stopped with `finishReason: SAFETY` and no content; truncation is `MAX_TOKENS`
 * with the text cut off (the request's own `maxOutputTokens` cuts the same way).
 */
import type { LineFault } from '../core/fault-decisions.js';
import { derivedId } from '../core/ids.js';
import { findPromptSchema } from '../core/prompt-schema.js';
import { answerRequest, type AnswerMemory, type AnswerTarget, type AppliedFault } from '../core/responder.js';
import { isSchemaNode, walkSchema } from '../core/schema-data.js';
import type { HashPart } from '../core/seeded-random.js';

export interface GeminiGenerateInput {
  promptText: string;
  lastUserText: string;
  target: AnswerTarget;
  maxOutputTokens: number | null;
}

export type GeminiLineOutcome =
  | { ok: true; body: Record<string, unknown>; applied: AppliedFault; inputTokens: number; outputTokens: number }
  | { ok: false; problem: 'invalid' | 'internal'; message: string; applied: 'none' | 'line_error' };

const REQUEST_FIELDS = new Set(['model', 'contents', 'systemInstruction', 'generationConfig', 'safetySettings', 'tools', 'toolConfig', 'cachedContent', 'serviceTier', 'store']);
const CONFIG_FIELDS = new Set([
  'temperature', 'topP', 'topK', 'candidateCount', 'maxOutputTokens', 'stopSequences', 'presencePenalty', 'frequencyPenalty',
  'seed', 'responseMimeType', 'responseSchema', 'responseJsonSchema', 'responseModalities', 'responseLogprobs', 'logprobs',
  'thinkingConfig', 'mediaResolution', 'speechConfig', 'enableEnhancedCivicAnswers', 'imageConfig',
]);
const MIME_TYPES = new Set(['text/plain', 'application/json', 'text/x.enum']);
const ROLES = new Set(['user', 'model']);

const camel = (key: string): string => key.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());

/** The object with snake_case keys renamed, or the name of a field the message does not have. */
function normalizeFields(value: Record<string, unknown>, known: ReadonlySet<string>): { fields: Record<string, unknown> } | { unknown: string } {
  const fields: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const name = camel(key);
    if (!known.has(name)) return { unknown: key };
    fields[name] = item;
  }
  return { fields };
}

function unknownField(name: string, where: string): string {
  return `Invalid JSON payload received. Unknown name "${name}" at '${where}': Cannot find field.`;
}

function contentText(content: unknown): string | null {
  if (!isSchemaNode(content) || !Array.isArray(content.parts) || content.parts.length === 0) return null;
  const texts: string[] = [];
  for (const part of content.parts) {
    if (!isSchemaNode(part)) return null;
    if (typeof part.text === 'string') texts.push(part.text);
  }
  return texts.join('\n');
}

function checkRange(config: Record<string, unknown>, key: string, min: number, max: number, integer = false): string | null {
  const value = config[key];
  if (value === undefined) return null;
  if (typeof value !== 'number' || !(value >= min && value <= max) || (integer && !Number.isInteger(value))) {
    return `* GenerateContentRequest.generation_config.${key}: must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(value)}.`;
  }
  return null;
}

/**
 * The subset of JSON Schema that Gemini's `responseJsonSchema` takes, per the API reference of that field:
 * `$id $defs $ref $anchor type format title description enum items prefixItems minItems maxItems minimum
 * maximum anyOf oneOf properties additionalProperties required` and the non-standard `propertyOrdering`;
 * a `$ref` may carry only other `$` keywords. The reference says nothing else is supported; whether the
 * live API ignores or refuses other keywords is not documented, and the emulator refuses them
 * (INVALID_ARGUMENT for the line) so an adapter that forgets to strip `minLength` or `pattern` finds out here.
 */
const SUPPORTED_SCHEMA_KEYWORDS = new Set([
  'type', 'format', 'title', 'description', 'enum', 'items', 'prefixItems', 'minItems', 'maxItems', 'minimum', 'maximum',
  'anyOf', 'oneOf', 'properties', 'additionalProperties', 'required', 'propertyOrdering',
]);

/** The first unsupported construct, worded as an INVALID_ARGUMENT message; null when the schema is accepted. */
function findGeminiSchemaProblem(schema: unknown): string | null {
  if (!isSchemaNode(schema)) return 'generation_config.response_json_schema: must be a JSON object.';
  let problem: string | null = null;
  walkSchema(schema, (node, path) => {
    if (problem) return;
    const keys = Object.keys(node).filter((key) => !key.startsWith('$'));
    if ('$ref' in node && keys.length > 0) {
      problem = `generation_config.response_json_schema: at ${path}, a schema with $ref may not set other properties (found ${keys.join(', ')}).`;
      return;
    }
    const unsupported = keys.find((key) => !SUPPORTED_SCHEMA_KEYWORDS.has(key));
    if (unsupported) problem = `generation_config.response_json_schema: keyword "${unsupported}" at ${path} is not supported.`;
  });
  return problem;
}

function readConfig(raw: unknown, systemText: string): { config: Record<string, unknown>; target: AnswerTarget } | string {
  if (raw !== undefined && !isSchemaNode(raw)) return unknownField('generation_config', 'generate_content_request');
  const normalized = normalizeFields(raw ?? {}, CONFIG_FIELDS);
  if ('unknown' in normalized) return unknownField(normalized.unknown, 'generate_content_request.generation_config');
  const config = normalized.fields;
  const ranges: [string, number, number, boolean][] = [
    ['temperature', 0, 2, false], ['topP', 0, 1, false], ['topK', 1, 1_000, true], ['candidateCount', 1, 8, true],
    ['maxOutputTokens', 1, 1_000_000, true], ['presencePenalty', -2, 2, false], ['frequencyPenalty', -2, 2, false],
  ];
  for (const [key, min, max, integer] of ranges) {
    const problem = checkRange(config, key, min, max, integer);
    if (problem) return problem;
  }
  if (config.seed !== undefined && !Number.isInteger(config.seed)) return '* GenerateContentRequest.generation_config.seed: must be an integer.';
  const stops = config.stopSequences;
  if (stops !== undefined && (!Array.isArray(stops) || stops.length > 5 || !stops.every((stop) => typeof stop === 'string'))) {
    return '* GenerateContentRequest.generation_config.stop_sequences: at most 5 strings.';
  }
  const mimeType = config.responseMimeType ?? 'text/plain';
  if (typeof mimeType !== 'string' || !MIME_TYPES.has(mimeType)) {
    return `* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are \`text/plain\`, \`application/json\` and \`text/x.enum\`, got ${JSON.stringify(mimeType)}.`;
  }
  if (config.responseSchema !== undefined && config.responseJsonSchema !== undefined) {
    return '* GenerateContentRequest.generation_config: response_schema and response_json_schema cannot both be set.';
  }
  if (config.responseJsonSchema !== undefined) {
    if (mimeType !== 'application/json') return '* GenerateContentRequest.generation_config.response_mime_type: must be application/json when response_json_schema is set.';
    const problem = findGeminiSchemaProblem(config.responseJsonSchema);
    if (problem) return `* GenerateContentRequest.${problem}`;
    return { config, target: { kind: 'json_schema', schema: config.responseJsonSchema } };
  }
  const promptSchema = findPromptSchema(systemText);
  if (mimeType === 'application/json') return { config, target: promptSchema ? { kind: 'json_schema', schema: promptSchema } : { kind: 'json_object' } };
  return { config, target: promptSchema ? { kind: 'prompt_schema', schema: promptSchema } : { kind: 'text' } };
}

/** The request as the responder needs it, or the INVALID_ARGUMENT message the API would give. */
export function readGenerateRequest(request: unknown): GeminiGenerateInput | string {
  if (!isSchemaNode(request)) return '* GenerateContentRequest: the request must be a JSON object.';
  const normalized = normalizeFields(request, REQUEST_FIELDS);
  if ('unknown' in normalized) return unknownField(normalized.unknown, 'generate_content_request');
  const fields = normalized.fields;
  if (!Array.isArray(fields.contents) || fields.contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified';
  const texts: string[] = [];
  let lastUserText = '';
  for (const [index, content] of fields.contents.entries()) {
    const text = contentText(content);
    if (text === null) return `* GenerateContentRequest.contents[${index}].parts: contents.parts must not be empty.`;
    const role = isSchemaNode(content) ? (content.role ?? 'user') : 'user';
    if (typeof role !== 'string' || !ROLES.has(role)) return `* GenerateContentRequest.contents[${index}].role: Please use a valid role: user, model.`;
    texts.push(text);
    if (role === 'user') lastUserText = text;
  }
  let systemText = '';
  if (fields.systemInstruction !== undefined) {
    const text = contentText(fields.systemInstruction);
    if (text === null) return '* GenerateContentRequest.system_instruction.parts: must not be empty.';
    systemText = text;
  }
  const read = readConfig(fields.generationConfig, systemText);
  if (typeof read === 'string') return read;
  return {
    promptText: [systemText, ...texts].filter(Boolean).join('\n'),
    lastUserText,
    target: read.target,
    maxOutputTokens: typeof read.config.maxOutputTokens === 'number' ? read.config.maxOutputTokens : null,
  };
}

function candidateOf(answer: ReturnType<typeof answerRequest>): Record<string, unknown> {
  if (answer.refusal !== null) {
    return {
      finishReason: 'SAFETY',
      index: 0,
      safetyRatings: [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true }],
    };
  }
  return { content: { parts: [{ text: answer.text }], role: 'model' }, finishReason: answer.stop === 'length' ? 'MAX_TOKENS' : 'STOP', index: 0 };
}

export function runGenerateRequest(request: unknown, model: string, seedParts: HashPart[], fault: LineFault, memory: AnswerMemory, repairValid = true): GeminiLineOutcome {
  const read = readGenerateRequest(request);
  if (typeof read === 'string') return { ok: false, problem: 'invalid', message: read, applied: 'none' };
  if (fault === 'line_error') return { ok: false, problem: 'internal', message: 'Internal error encountered.', applied: 'line_error' };
  const answer = answerRequest({ seedParts, ...read, fault, repairValid, toolInputIsObject: false }, memory);
  const outputTokens = answer.refusal === null ? answer.outputTokens : 0;
  const body = {
    candidates: [candidateOf(answer)],
    usageMetadata: {
      promptTokenCount: answer.inputTokens,
      ...(outputTokens > 0 ? { candidatesTokenCount: outputTokens } : {}),
      totalTokenCount: answer.inputTokens + outputTokens,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: answer.inputTokens }],
    },
    modelVersion: model.replace(/^models\//, ''),
    responseId: derivedId('', 22, ...seedParts, 'response'),
  };
  return { ok: true, body, applied: answer.applied, inputTokens: answer.inputTokens, outputTokens };
}

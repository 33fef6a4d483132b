/**
 * The lines of OpenAI batch output and error files, and their conversion into
 * provider-neutral results. Both places an error can sit are read: `error` (request never ran:
 * batch_expired, batch_cancelled) and `response.body.error` with `status_code >= 400` (it ran and
 * failed; the top-level `error` is then null). A 401/403 line gets the code PROVIDER_AUTH_CODE.
 */
import { z } from 'zod';
import type { BatchItemResult } from '../batch-provider.js';
import { isAuthStatus, PROVIDER_AUTH_CODE } from '../errors.js';

const usageSchema = z
  .object({
    prompt_tokens: z.number(),
    completion_tokens: z.number(),
    prompt_tokens_details: z.object({ cached_tokens: z.number().optional() }).nullish(),
  })
  .nullish();

const errorBodySchema = z.object({ message: z.string().nullish(), type: z.string().nullish(), code: z.string().nullish() });

export const openAIResultLineSchema = z.object({
  id: z.string().optional(),
  custom_id: z.string(),
  response: z
    .object({
      status_code: z.number(),
      request_id: z.string().nullish(),
      body: z.unknown(),
    })
    .nullish(),
  error: z.object({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
});

export const chatCompletionSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        finish_reason: z.string().nullish(),
        message: z.object({ content: z.string().nullish(), refusal: z.string().nullish() }),
      }),
    )
    .min(1),
  usage: usageSchema,
});

const embeddingsSchema = z.object({
  object: z.literal('list'),
  model: z.string().optional(),
  data: z.array(z.object({ embedding: z.array(z.number()) })).length(1),
  usage: z.object({ prompt_tokens: z.number() }).nullish(),
});

function convertEmbeddings(customId: string, body: z.output<typeof embeddingsSchema>): BatchItemResult {
  return {
    customId,
    outcome: 'succeeded',
    text: '',
    vector: body.data[0]!.embedding,
    ...(body.usage ? { usage: { inputTokens: body.usage.prompt_tokens, outputTokens: 0 } } : {}),
    ...(body.model ? { model: body.model } : {}),
  };
}

export function convertOpenAIResultLine(line: string): BatchItemResult | { customId?: string; malformed: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { malformed: 'result line is not JSON' };
  }
  const completed = completedChatLine(json);
  if (completed) return convertCompletion(completed.customId, completed.completion);
  const parsed = openAIResultLineSchema.safeParse(json);
  if (!parsed.success) {
    const customId = (json as { custom_id?: unknown })?.custom_id;
    return { ...(typeof customId === 'string' ? { customId } : {}), malformed: 'result line has an unexpected shape' };
  }
  const { custom_id: customId, response, error } = parsed.data;
  if (error && !response) return convertLineError(customId, error.code ?? 'unknown', error.message ?? '');
  if (!response) return { customId, malformed: 'result line has neither response nor error' };
  if (response.status_code >= 400) return convertHttpError(customId, response.status_code, response.body);
  // Only a body whose `object` is 'list' can be an embeddings response: a chat completion skips
  // the failed parse (zod builds its issues for every failure, a tenth of a line's conversion).
  if ((response.body as { object?: unknown } | null)?.object === 'list') {
    const embeddings = embeddingsSchema.safeParse(response.body);
    if (embeddings.success) return convertEmbeddings(customId, embeddings.data);
  }
  const completion = chatCompletionSchema.safeParse(response.body);
  if (!completion.success) return { customId, malformed: 'response body is not a chat completion' };
  return convertCompletion(customId, completion.data);
}

/**
 * The usual line, a chat completion answered with HTTP 2xx, checked by hand: zod's checks of the
 * line and the body build a copy of each object, a tenth of a line's conversion. It accepts only
 * lines the schemas above accept (every field they check, with the same types; zod's z.number()
 * takes finite numbers only) and gives the fields `convertCompletion` reads as they would; any
 * other line (an error, an embedding, a shape it does not know) is undefined and goes through the
 * schemas as before, so what is rejected and how stays theirs.
 */
export function completedChatLine(json: unknown): { customId: string; completion: z.output<typeof chatCompletionSchema> } | undefined {
  if (!isRecord(json) || typeof json.custom_id !== 'string' || !optional(json.id, isString)) return undefined;
  const { response, error } = json;
  if (!isRecord(response) || !isFiniteNumber(response.status_code) || response.status_code >= 400 || !nullish(response.request_id, isString)) return undefined;
  if (!nullish(error, (value) => isRecord(value) && nullish(value.code, isString) && nullish(value.message, isString))) return undefined;
  const body = response.body;
  if (!isRecord(body) || body.object === 'list' || !optional(body.model, isString)) return undefined;
  const { choices, usage } = body;
  if (!Array.isArray(choices) || choices.length === 0) return undefined;
  // A loop, not `every`: it would skip holes, which zod checks as undefined.
  for (let index = 0; index < choices.length; index++) if (!isChoice(choices[index])) return undefined;
  if (!nullish(usage, isUsage)) return undefined;
  return { customId: json.custom_id, completion: body as z.output<typeof chatCompletionSchema> };
}

function isChoice(value: unknown): boolean {
  return isRecord(value) && nullish(value.finish_reason, isString) && isRecord(value.message) && nullish(value.message.content, isString) && nullish(value.message.refusal, isString);
}

function isUsage(value: unknown): boolean {
  if (!isRecord(value) || !isFiniteNumber(value.prompt_tokens) || !isFiniteNumber(value.completion_tokens)) return false;
  const details = value.prompt_tokens_details;
  return nullish(details, (item) => isRecord(item) && optional(item.cached_tokens, isFiniteNumber));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isString(value: unknown): boolean {
  return typeof value === 'string';
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function optional(value: unknown, check: (value: unknown) => boolean): boolean {
  return value === undefined || check(value);
}

function nullish(value: unknown, check: (value: unknown) => boolean): boolean {
  return value === undefined || value === null || check(value);
}

function convertLineError(customId: string, code: string, message: string): BatchItemResult {
  if (code === 'batch_expired') return { customId, outcome: 'expired' };
  if (code === 'batch_cancelled' || code === 'batch_canceled') return { customId, outcome: 'canceled' };
  return { customId, outcome: 'errored', error: { code, message, retryable: true } };
}

function convertHttpError(customId: string, status: number, body: unknown): BatchItemResult {
  const parsed = errorBodySchema.safeParse((body as { error?: unknown } | null)?.error);
  const error = parsed.success ? parsed.data : {};
  if (isAuthStatus(status)) {
    const code = error.code ?? error.type;
    const message = `HTTP ${status}${code ? ` ${code}` : ''}: ${error.message ?? 'the credentials were refused'}`;
    return { customId, outcome: 'errored', error: { code: PROVIDER_AUTH_CODE, message, status, retryable: false } };
  }
  return {
    customId,
    outcome: 'errored',
    error: {
      code: error.code ?? error.type ?? `http_${status}`,
      message: error.message ?? `request failed with HTTP ${status}`,
      status,
      // A 4xx means the request itself is wrong: sending it again would fail again.
      retryable: status === 408 || status === 409 || status === 429 || status >= 500,
    },
  };
}

function convertCompletion(customId: string, completion: z.output<typeof chatCompletionSchema>): BatchItemResult {
  const choice = completion.choices[0]!;
  const usage = completion.usage
    ? {
        inputTokens: completion.usage.prompt_tokens,
        outputTokens: completion.usage.completion_tokens,
        cachedInputTokens: completion.usage.prompt_tokens_details?.cached_tokens ?? 0,
      }
    : undefined;
  return {
    customId,
    outcome: 'succeeded',
    text: choice.message.content ?? '',
    ...(choice.finish_reason ? { finishReason: choice.finish_reason } : {}),
    ...(choice.message.refusal ? { refusal: choice.message.refusal } : {}),
    ...(usage ? { usage } : {}),
    ...(completion.model ? { model: completion.model } : {}),
  };
}

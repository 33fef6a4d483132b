/**
 * `GET /v1/models` and `GET /v1/models/{id}` of the Anthropic API (told from OpenAI's same path by the
 * `anthropic-version` header the SDK always sends): the models this emulator serves, paged with
 * `limit`, `after_id` and `before_id` as the SDK's `client.models.list()` pages them.
 */
import type { ApiCall } from '../core/emulator-context.js';
import { EmulatorHttpError, sendJson } from '../core/http-io.js';
import { pageAround } from '../core/pagination.js';
import { EXTRA_MODELS_HINT, type ServedModel } from '../core/served-models.js';
import type { AnthropicContext } from './anthropic-batch-record.js';

/** The catalogue has no release dates: one fixed time keeps replies stable. */
const CREATED_AT = '2025-01-01T00:00:00Z';

/** `claude-haiku-4-5` → `Claude Haiku 4.5`: version numbers joined by dots, words capitalised. */
function displayName(id: string): string {
  const words: string[] = [];
  for (const part of id.split('-')) {
    const last = words.at(-1);
    if (/^\d{1,2}$/.test(part) && last !== undefined && /^\d+(\.\d+)*$/.test(last)) words[words.length - 1] = `${last}.${part}`;
    else words.push(/^\d/.test(part) ? part : part.charAt(0).toUpperCase() + part.slice(1));
  }
  return words.join(' ');
}

function modelInfo(model: ServedModel): Record<string, unknown> {
  return { type: 'model', id: model.id, display_name: displayName(model.id), created_at: CREATED_AT };
}

export async function listAnthropicModels(context: AnthropicContext, call: ApiCall): Promise<void> {
  const page = pageAround(context.models.list('anthropic'), call.url.searchParams, { defaultLimit: 20, maxLimit: 1000 });
  sendJson(call.response, 200, {
    data: page.items.map(modelInfo),
    has_more: page.hasMore,
    first_id: page.items[0]?.id ?? null,
    last_id: page.items.at(-1)?.id ?? null,
  });
}

export async function retrieveAnthropicModel(context: AnthropicContext, call: ApiCall): Promise<void> {
  const id = call.params[0] ?? '';
  const model = context.models.find('anthropic', id) ?? (context.models.serves('anthropic', id) ? { id } : undefined);
  if (!model) throw new EmulatorHttpError({ status: 404, type: 'not_found_error', message: `model: ${id}${EXTRA_MODELS_HINT}` });
  sendJson(call.response, 200, modelInfo(model));
}

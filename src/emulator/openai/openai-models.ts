/**
 * `GET /v1/models` and `GET /v1/models/{id}`: the models this emulator serves (core/served-models.ts),
 * as the OpenAI SDK's `client.models.list()` and `retrieve()` read them.
 */
import type { ApiCall } from '../core/emulator-context.js';
import { EmulatorHttpError, sendJson } from '../core/http-io.js';
import type { ServedModel } from '../core/served-models.js';
import type { OpenAIContext } from './openai-context.js';
import { modelNotFound } from './openai-model-not-found.js';

/** The catalogue says nothing about when a model was published: one fixed time keeps replies stable. */
const CREATED = Math.floor(Date.UTC(2024, 0, 1) / 1000);

function modelObject(model: ServedModel): Record<string, unknown> {
  return { id: model.id, object: 'model', created: CREATED, owned_by: model.id.startsWith('ft:') ? 'user' : 'system' };
}

export async function listOpenAIModels(context: OpenAIContext, call: ApiCall): Promise<void> {
  sendJson(call.response, 200, { object: 'list', data: context.models.list('openai').map(modelObject) });
}

export async function retrieveOpenAIModel(context: OpenAIContext, call: ApiCall): Promise<void> {
  const id = call.params[0] ?? '';
  const model = context.models.find('openai', id) ?? (context.models.serves('openai', id) ? { id } : undefined);
  if (!model) throw new EmulatorHttpError({ status: 404, ...modelNotFound(id) });
  sendJson(call.response, 200, modelObject(model));
}

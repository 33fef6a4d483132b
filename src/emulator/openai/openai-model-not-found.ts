import { EXTRA_MODELS_HINT } from '../core/served-models.js';
import type { OpenAIErrorBody } from './openai-chat-request.js';

/** How the API answers a model it does not have (or one of the wrong kind for the endpoint): HTTP 404. */
export function modelNotFound(model: string): OpenAIErrorBody {
  return { message: `The model \`${model}\` does not exist or you do not have access to it.${EXTRA_MODELS_HINT}`, type: 'invalid_request_error', param: null, code: 'model_not_found' };
}

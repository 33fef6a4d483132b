/**
 * The part of a shard line that depends only on a request's `params` and `output`. Every request
 * of a step shares those two objects, so remembering the value of the last pair seen turns one
 * serialisation per request (a response schema is most of a line's bytes) into one per step. A
 * request with another pair (a repair round raising max_tokens) computes it again: nothing stale
 * can come out, whatever order requests arrive in.
 */
import type { ChatMessage } from '../domain.js';
import type { ProviderRequest } from './batch-provider.js';

export function perStepConstant<T>(compute: (request: ProviderRequest) => T): (request: ProviderRequest) => T {
  let last: { params: ProviderRequest['params']; output: ProviderRequest['output']; value: T } | undefined;
  return (request) => {
    if (last && last.params === request.params && last.output === request.output) return last.value;
    const value = compute(request);
    last = { params: request.params, output: request.output, value };
    return value;
  };
}

/**
 * Whether every message is a string role and string content, the shape the line builders
 * serialise by hand; anything else goes through `JSON.stringify` of the whole line.
 */
export function allTextMessages(messages: readonly ChatMessage[]): boolean {
  for (const message of messages) if (typeof message.role !== 'string' || typeof message.content !== 'string') return false;
  return true;
}

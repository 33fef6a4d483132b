/** Cursor pagination over a list already in display order (newest first unless asked otherwise). */
import { badRequest } from './http-io.js';

export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

function readLimit(query: URLSearchParams, defaultLimit: number, maxLimit: number): number {
  const raw = query.get('limit');
  if (raw === null) return defaultLimit;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
    throw badRequest(`Invalid 'limit': expected an integer between 1 and ${maxLimit}, got '${raw}'.`, 'limit', 'invalid_value');
  }
  return limit;
}

/** OpenAI style: `limit` and `after=<id>` (items following that id). An unknown cursor gives an empty page. */
export function pageAfter<T extends { id: string }>(
  items: readonly T[],
  query: URLSearchParams,
  bounds: { defaultLimit: number; maxLimit: number },
): Page<T> {
  const limit = readLimit(query, bounds.defaultLimit, bounds.maxLimit);
  const after = query.get('after');
  const start = after === null ? 0 : items.findIndex((item) => item.id === after) + 1;
  if (after !== null && start === 0) return { items: [], hasMore: false };
  return { items: items.slice(start, start + limit), hasMore: start + limit < items.length };
}

/**
 * Anthropic style: `after_id` (the page following that id) or `before_id` (the page immediately preceding
 * it, still in display order; the SDK then pages backwards with `before_id=first_id`).
 */
export function pageAround<T extends { id: string }>(
  items: readonly T[],
  query: URLSearchParams,
  bounds: { defaultLimit: number; maxLimit: number },
): Page<T> {
  const limit = readLimit(query, bounds.defaultLimit, bounds.maxLimit);
  const afterId = query.get('after_id');
  const beforeId = query.get('before_id');
  if (afterId !== null && beforeId !== null) throw badRequest('Use at most one of after_id and before_id.', 'before_id');
  if (beforeId !== null) {
    const end = items.findIndex((item) => item.id === beforeId);
    if (end < 0) return { items: [], hasMore: false };
    const start = Math.max(0, end - limit);
    return { items: items.slice(start, end), hasMore: start > 0 };
  }
  return pageAfter(items, new URLSearchParams(afterId === null ? { limit: String(limit) } : { limit: String(limit), after: afterId }), {
    defaultLimit: limit,
    maxLimit: bounds.maxLimit,
  });
}

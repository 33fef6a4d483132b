/**
 * Pagination of list calls over a list already in display order (newest first unless asked otherwise), in
 * each API's style: OpenAI `after`, Anthropic `after_id` / `before_id`, Google `pageToken`.
 */
import { badRequest, type EmulatorHttpError } from './http-io.js';

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

export interface TokenPage<T> {
  items: T[];
  nextPageToken?: string;
}

/**
 * Google style: `pageSize` and an opaque `pageToken`; the reply carries `nextPageToken` only when there is a
 * next page. Leaving it out (never an empty string) matters: the SDK's pager asks again whenever the token is
 * not undefined. `invalid` makes the API's error for a bad size or token.
 */
export function pageByToken<T>(
  items: readonly T[],
  query: URLSearchParams,
  bounds: { defaultSize: number; maxSize: number },
  invalid: (message: string) => EmulatorHttpError,
): TokenPage<T> {
  const rawSize = query.get('pageSize') ?? query.get('page_size');
  let size = bounds.defaultSize;
  if (rawSize !== null) {
    size = Number(rawSize);
    if (!Number.isInteger(size) || size < 0) throw invalid(`Invalid page_size: ${rawSize}`);
    // 0 means "the default"; larger values are capped, as Google list methods do.
    size = size === 0 ? bounds.defaultSize : Math.min(size, bounds.maxSize);
  }
  const token = query.get('pageToken') ?? query.get('page_token');
  let start = 0;
  if (token !== null && token !== '') {
    start = Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^offset:/, ''));
    if (!Number.isInteger(start) || start < 0) throw invalid('Invalid page_token.');
  }
  const end = start + size;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { nextPageToken: Buffer.from(`offset:${end}`).toString('base64url') } : {}),
  };
}

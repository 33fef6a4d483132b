/**
 * Google-style paging: `pageSize` and an opaque `pageToken`; the reply carries `nextPageToken` only when
 * there is a next page. Leaving it out (never an empty string) matters: the SDK's pager asks again
 * whenever the token is not undefined.
 */
import { invalidArgument } from './gemini-errors.js';

export interface TokenPage<T> {
  items: T[];
  nextPageToken?: string;
}

export function pageByToken<T>(items: readonly T[], query: URLSearchParams, bounds: { defaultSize: number; maxSize: number }): TokenPage<T> {
  const rawSize = query.get('pageSize') ?? query.get('page_size');
  let size = bounds.defaultSize;
  if (rawSize !== null) {
    size = Number(rawSize);
    if (!Number.isInteger(size) || size < 0) throw invalidArgument(`Invalid page_size: ${rawSize}`);
    // 0 means "the default"; larger values are capped, as Google list methods do.
    size = size === 0 ? bounds.defaultSize : Math.min(size, bounds.maxSize);
  }
  const token = query.get('pageToken') ?? query.get('page_token');
  let start = 0;
  if (token !== null && token !== '') {
    start = Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^offset:/, ''));
    if (!Number.isInteger(start) || start < 0) throw invalidArgument('Invalid page_token.');
  }
  const end = start + size;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { nextPageToken: Buffer.from(`offset:${end}`).toString('base64url') } : {}),
  };
}

/**
 * The emulator's own count of what a batch puts in a provider's queue. Enqueued tokens are estimated
 * from the text of what a request asks (message contents, an embedding's input, Gemini parts): one
 * token per four characters, plus four per message for its framing. No vendor tokenizer is used, on
 * purpose: the real services count with their own, and a client must not rely on matching them.
 */
import type { QueueStats } from './emulator-stats.js';

const CHARACTERS_PER_TOKEN = 4;
const TOKENS_PER_MESSAGE = 4;

/** Total length of every string inside `value` (objects and arrays walked without recursion). */
function textLength(value: unknown): number {
  let length = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === 'string') length += item.length;
    else if (Array.isArray(item)) pending.push(...item);
    else if (typeof item === 'object' && item !== null) pending.push(...Object.values(item));
  }
  return length;
}

/** Tokens of a list of messages (OpenAI `messages`, Gemini `contents`) or of a plain input. */
export function promptTokens(messages: unknown, extra: unknown = undefined): number {
  const count = Array.isArray(messages) ? messages.length : messages === undefined ? 0 : 1;
  return Math.ceil((textLength(messages) + textLength(extra)) / CHARACTERS_PER_TOKEN) + TOKENS_PER_MESSAGE * count;
}

/** Records that a queue accepted work and now holds `queued` in all; keeps the peak. */
export function notePeak(stats: QueueStats, queue: string, queued: number): void {
  stats.peak[queue] = Math.max(stats.peak[queue] ?? 0, queued);
}

/** How long until the earliest of `ends` (ms since the epoch), for a retry-after; at least 10 ms. */
export function retryAfterMs(ends: number[], now: number): number {
  const next = Math.min(...ends.filter((end) => Number.isFinite(end)));
  return Number.isFinite(next) ? Math.max(10, Math.ceil(next - now)) : 1000;
}

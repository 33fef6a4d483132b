/**
 * `JSON.stringify` of a rendered message's text, remembering the last few texts. Planning serialises
 * each message twice, moments apart: in the request key's canonical JSON (engine/request-key.ts) and
 * in the provider's shard line (OpenAI's adapter); escaping the text again was about a tenth of a
 * planned request's CPU. A hit costs a string comparison: the same string, or equal text such as a
 * system prompt every record renders alike. The answer is always `JSON.stringify(text)`, so nothing
 * stale can come out of it, whatever the callers do with their messages.
 */
const SLOTS = 4;
const texts: string[] = Array.from({ length: SLOTS }, () => '');
const serialised: string[] = Array.from({ length: SLOTS }, () => '""');
let oldest = 0;

export function messageTextJson(text: string): string {
  for (let slot = 0; slot < SLOTS; slot++) {
    if (texts[slot] === text) return serialised[slot]!;
  }
  const json = JSON.stringify(text);
  texts[oldest] = text;
  serialised[oldest] = json;
  oldest = (oldest + 1) % SLOTS;
  return json;
}

/**
 * A finished `Message` sent as the server-sent events of `POST /v1/messages` with `stream: true`, in
 * the order the API sends them: message_start (content empty, stop_reason null), then per content
 * block content_block_start, deltas (text_delta for text, input_json_delta for a tool's input) and
 * content_block_stop, with one ping after the first block starts; then message_delta (stop_reason,
 * output usage) and message_stop. The SDK's MessageStream rebuilds the same Message from them.
 */
import type { ServerResponse } from 'node:http';

/** Characters per delta: small enough that a short answer still arrives in several events. */
const DELTA_CHARS = 16;

type Block = { type: string; text?: string; input?: unknown; [key: string]: unknown };

function chunks(text: string): string[] {
  const parts: string[] = [];
  for (let start = 0; start < text.length; start += DELTA_CHARS) parts.push(text.slice(start, start + DELTA_CHARS));
  return parts;
}

function event(response: ServerResponse, name: string, data: Record<string, unknown>): void {
  response.write(`event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`);
}

export function sendMessageStream(response: ServerResponse, message: Record<string, unknown>, requestId: string): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': requestId });
  const usage = message.usage as Record<string, unknown>;
  const blocks = message.content as Block[];
  event(response, 'message_start', {
    message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 0 } },
  });
  blocks.forEach((block, index) => {
    if (block.type === 'tool_use') {
      event(response, 'content_block_start', { index, content_block: { ...block, input: {} } });
      if (index === 0) event(response, 'ping', {});
      for (const part of chunks(JSON.stringify(block.input ?? {}))) {
        event(response, 'content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: part } });
      }
    } else {
      event(response, 'content_block_start', { index, content_block: { ...block, text: '' } });
      if (index === 0) event(response, 'ping', {});
      for (const part of chunks(block.text ?? '')) event(response, 'content_block_delta', { index, delta: { type: 'text_delta', text: part } });
    }
    event(response, 'content_block_stop', { index });
  });
  event(response, 'message_delta', {
    delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence ?? null },
    usage: { output_tokens: usage.output_tokens },
  });
  event(response, 'message_stop', {});
  response.end();
}

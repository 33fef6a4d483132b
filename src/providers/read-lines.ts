import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/**
 * Lines of a streamed HTTP body (result files can be hundreds of MB, so never `text()` them).
 * Blank lines are skipped: some servers end with CRLF or an extra newline.
 */
export async function* readBodyLines(body: ReadableStream<Uint8Array> | null): AsyncIterable<{ line: string; number: number }> {
  if (!body) return;
  const input = Readable.fromWeb(body as unknown as WebReadableStream<Uint8Array>);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() !== '') yield { line, number };
  }
}

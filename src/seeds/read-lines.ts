import { createReadStream } from 'node:fs';

const BYTE_ORDER_MARK = '\uFEFF';

/**
 * Streams a UTF-8 text file line by line: memory holds one read chunk plus the current line, never
 * the file. Accepts LF and CRLF endings and drops a leading byte order mark. Only the new chunk is
 * searched for a newline, so a line spanning many chunks costs linear time. The stream is closed
 * when the consumer stops early (a `limit`), not left open until garbage collection.
 */
export async function* readLines(path: string): AsyncGenerator<string> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 64 * 1024 });
  let pending = '';
  let first = true;
  try {
    for await (let chunk of stream as AsyncIterable<string>) {
      if (first) {
        first = false;
        if (chunk.startsWith(BYTE_ORDER_MARK)) chunk = chunk.slice(1);
      }
      let newline = chunk.indexOf('\n');
      if (newline === -1) {
        pending += chunk;
        continue;
      }
      yield stripCarriageReturn(pending + chunk.slice(0, newline));
      let start = newline + 1;
      newline = chunk.indexOf('\n', start);
      while (newline !== -1) {
        yield stripCarriageReturn(chunk.slice(start, newline));
        start = newline + 1;
        newline = chunk.indexOf('\n', start);
      }
      pending = chunk.slice(start);
    }
    if (pending.length > 0) yield stripCarriageReturn(pending);
  } finally {
    stream.destroy();
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

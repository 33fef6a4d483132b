import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { NotUtf8Error } from './not-utf8-error.js';

const NEWLINE = 0x0a;
const BYTE_ORDER_MARK = '\uFEFF';

/**
 * Streams a UTF-8 text file line by line: memory holds one read chunk plus the current line, never
 * the file. Accepts LF and CRLF endings and drops a leading byte order mark. Bytes are split at
 * newlines (a newline byte never occurs inside a multi-byte character) and decoded strictly: the
 * complete lines of a chunk are checked in one call, and only a chunk that fails is walked line by
 * line, so the lines before a bad one are still read and the error names the bad line's number
 * (NotUtf8Error) instead of a U+FFFD reaching a prompt. Only the new chunk is searched for a newline,
 * so a line spanning many chunks costs linear time. The stream is closed when the consumer stops
 * early (a `limit`), not left open until garbage collection.
 */
export async function* readLines(path: string): AsyncGenerator<string> {
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  let pending: Buffer[] = [];
  let line = 1;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const last = chunk.lastIndexOf(NEWLINE);
      if (last === -1) {
        pending.push(chunk);
        continue;
      }
      const complete = pending.length === 0 ? chunk.subarray(0, last) : Buffer.concat([...pending, chunk.subarray(0, last)]);
      pending = last + 1 < chunk.length ? [chunk.subarray(last + 1)] : [];
      for (const text of decodeLines(complete, line)) {
        yield line === 1 ? withoutByteOrderMark(text) : text;
        line += 1;
      }
    }
    if (pending.length > 0) {
      const [text] = decodeLines(Buffer.concat(pending), line);
      yield line === 1 ? withoutByteOrderMark(text!) : text!;
    }
  } finally {
    stream.destroy();
  }
}

/** `bytes` holds whole lines without the final newline; their texts, or up to the bad one and then a throw. */
function* decodeLines(bytes: Buffer, firstLine: number): Generator<string> {
  if (isUtf8(bytes)) {
    for (const text of bytes.toString('utf8').split('\n')) yield withoutCarriageReturn(text);
    return;
  }
  let line = firstLine;
  let start = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end === -1) end = bytes.length;
    const piece = bytes.subarray(start, end);
    NotUtf8Error.check(piece, line);
    yield withoutCarriageReturn(piece.toString('utf8'));
    line += 1;
    start = end + 1;
  }
}

function withoutCarriageReturn(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

function withoutByteOrderMark(text: string): string {
  return text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text;
}

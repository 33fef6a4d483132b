import { Transform, type TransformCallback } from 'node:stream';
import { NotUtf8Error } from './not-utf8-error.js';

const NEWLINE = 0x0a;

/**
 * Passes a byte stream through unchanged while checking that each line is UTF-8; at the first line
 * that is not, everything before it has been passed on and the stream fails with NotUtf8Error naming
 * the line. For parsers (csv-parse) that would otherwise decode leniently and replace bad bytes.
 */
export function utf8LineGuard(): Transform {
  let line = 1;
  let pending: Buffer[] = [];
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
      let start = 0;
      let newline = chunk.indexOf(NEWLINE);
      try {
        while (newline !== -1) {
          const piece = chunk.subarray(start, newline);
          NotUtf8Error.check(pending.length === 0 ? piece : Buffer.concat([...pending, piece]), line);
          pending = [];
          line += 1;
          start = newline + 1;
          newline = chunk.indexOf(NEWLINE, start);
        }
      } catch (error) {
        this.push(chunk.subarray(0, start));
        done(error as Error);
        return;
      }
      if (start < chunk.length) pending.push(chunk.subarray(start));
      done(null, chunk);
    },
    flush(done: TransformCallback): void {
      try {
        if (pending.length > 0) NotUtf8Error.check(Buffer.concat(pending), line);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
}

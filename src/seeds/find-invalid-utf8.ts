import { isUtf8 } from 'node:buffer';

/** Where a byte sequence stops being UTF-8: 1-based line and column (in characters), and the byte. */
export interface InvalidUtf8 {
  line: number;
  column: number;
  byte: number;
}

const NEWLINE = 0x0a;

/**
 * The first byte of `bytes` that is not part of well-formed UTF-8, or undefined when all of it is.
 * Files are decoded strictly because a lenient decoder turns a Latin-1 "é" into U+FFFD without a
 * word, and the damaged text would then be sent, paid for and trained on. A newline byte never occurs
 * inside a multi-byte sequence, so lines can be checked one by one.
 */
export function findInvalidUtf8(bytes: Uint8Array, firstLine = 1): InvalidUtf8 | undefined {
  if (isUtf8(bytes)) return undefined;
  let line = firstLine;
  let start = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end === -1) end = bytes.length;
    const text = bytes.subarray(start, end);
    if (!isUtf8(text)) {
      const offset = firstInvalidOffset(text);
      const column = Buffer.from(text.buffer, text.byteOffset, offset).toString('utf8').length + 1;
      return { line, column, byte: text[offset]! };
    }
    line += 1;
    start = end + 1;
  }
  return undefined;
}

/** `0xe9`, as messages show a bad byte. */
export function formatByte(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}

/**
 * Offset of the first byte that breaks UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF). Only called on text already known to be invalid.
 */
function firstInvalidOffset(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index]!;
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead < 0x80) length = 1;
    else if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else return index;
    for (let next = 1; next < length; next += 1) {
      const byte = bytes[index + next];
      const min = next === 1 ? low : 0x80;
      const max = next === 1 ? high : 0xbf;
      if (byte === undefined || byte < min || byte > max) return index;
    }
    index += length;
  }
  return bytes.length;
}

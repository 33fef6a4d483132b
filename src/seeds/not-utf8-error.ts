import { findInvalidUtf8, formatByte, type InvalidUtf8 } from './find-invalid-utf8.js';

/**
 * A seed file holds bytes that are not UTF-8. Thrown by the line and CSV readers, which know the line
 * but not the seed source; the source readers turn it into a SeedError at `file:line`.
 */
export class NotUtf8Error extends Error {
  constructor(readonly where: InvalidUtf8) {
    super(`not valid UTF-8 (first bad byte ${formatByte(where.byte)} at column ${where.column}); save the file as UTF-8`);
    this.name = 'NotUtf8Error';
  }

  /** Throws for `bytes`, line `line` of a file, when they are not UTF-8. */
  static check(bytes: Uint8Array, line: number): void {
    const where = findInvalidUtf8(bytes, line);
    if (where !== undefined) throw new NotUtf8Error(where);
  }
}

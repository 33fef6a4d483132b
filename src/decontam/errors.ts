import { UsageError } from '../errors.js';

/**
 * An evaluation set cannot be used as written: a missing path, a folder with no data files, a file
 * of an unknown kind, a malformed line, fields no item has. The message starts with the file (and
 * line when there is one), then says what was expected.
 */
export class DecontamSourceError extends UsageError {
  constructor(message: string, details: { file: string; line?: number }, options: { cause?: unknown } = {}) {
    super('decontam_source_invalid', message, { details, ...(options.cause === undefined ? {} : { cause: options.cause }) });
    this.name = 'DecontamSourceError';
  }
}

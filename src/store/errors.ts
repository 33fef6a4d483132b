import { dirname } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * The state directory holds a store this version cannot read: another schema version, or a file
 * that is not a synthforge store at all. Refused rather than migrated, so a run never writes rows
 * an older or newer synthforge would misread.
 */
export class StoreVersionError extends UsageError {
  constructor(file: string, foundVersion: number | undefined, supportedVersion: number, cause?: unknown) {
    const found = foundVersion === undefined ? 'is not a synthforge store (no schema version in it)' : `has store schema version ${foundVersion}`;
    super(
      'store_version_unsupported',
      `${file} ${found}; this synthforge reads store schema version ${supportedVersion} only. ` +
        `Use another --state directory, or delete ${dirname(file)} (its runs and response cache are lost).`,
      { details: { file, foundVersion: foundVersion ?? null, supportedVersion }, ...(cause === undefined ? {} : { cause }) },
    );
    this.name = 'StoreVersionError';
  }
}

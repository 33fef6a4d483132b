import { UsageError } from '../errors.js';
import { formatSeedPosition } from './format-seed-position.js';
import type { SeedPosition } from './seed-source.js';

/**
 * Where a seed problem sits. `line` (and `column`) for line-based files and for the recipe entry of an
 * inline or product source; `row` for Parquet, which has no lines; `record` (1-based) for the n-th
 * record of an inline or product source. `file` is `<recipe>` when the recipe gave no location.
 */
export type SeedErrorDetails = SeedPosition & {
  /** Index of the source in the recipe's `seeds:` list. */
  sourceIndex: number;
};

/** A seed source cannot be read as written: a missing file, a malformed line, a bad id. */
export class SeedError extends UsageError {
  declare readonly details: SeedErrorDetails;

  /** `seed_invalid`, or `seed_product_too_large` for a product over MAX_PRODUCT_RECORDS. */
  constructor(message: string, details: SeedErrorDetails, options: { cause?: unknown; code?: string } = {}) {
    super(options.code ?? 'seed_invalid', message, {
      details,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.name = 'SeedError';
  }
}

/** `file:line: seeds[i]: problem`, the one message shape every seed error uses. */
export function seedErrorAt(
  position: SeedPosition,
  sourceIndex: number,
  problem: string,
  options: { cause?: unknown; code?: string; details?: Record<string, unknown> } = {},
): SeedError {
  const message = `${formatSeedPosition(position)}: seeds[${sourceIndex}]: ${problem}`;
  return new SeedError(message, { ...position, sourceIndex, ...options.details }, options);
}

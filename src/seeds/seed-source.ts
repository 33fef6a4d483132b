import type { Fields } from '../domain.js';
import type { SamplersSpec } from './samplers/sampler-spec.js';

/** Where a seed entry is written in the recipe, so errors about it can point there. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export type SeedSourceSpec = (
  | { kind: 'inline'; records: Fields[] }
  | { kind: 'jsonl'; path: string }
  | { kind: 'csv'; path: string; delimiter?: string }
  | { kind: 'parquet'; path: string }
  /** Cartesian product, in the order the keys are written, last key varying fastest. */
  | { kind: 'product'; attributes: Record<string, unknown[]> }
  /** `count` records drawn column by column (samplers/), the same for the same seed. */
  | ({ kind: 'samplers' } & SamplersSpec)
) & {
  /** Keep the first N records of the source (applied before `sample`). */
  limit?: number;
  /** Pick `n` records uniformly without replacement; the same seed picks the same records everywhere. */
  sample?: { n: number; seed: number };
  /** Take each record's id from this field instead of its position. */
  idField?: string;
  location?: SourceLocation;
};

/** One record as a reader produced it, before ids, limit and sampling. */
export interface RawSeed {
  fields: Fields;
  /** 0-based position in its source, before limit and sampling; the basis of the positional id. */
  ordinal: number;
  position: SeedPosition;
}

/** Where a record or a recipe entry sits, for error messages. SeedErrorDetails says which keys apply. */
export type SeedPosition = {
  file: string;
  line?: number;
  column?: number;
  row?: number;
  record?: number;
};

/** The recipe entry itself: its location when the loader gave one. */
export function entryPosition(spec: SeedSourceSpec): SeedPosition {
  const location = spec.location;
  return location === undefined
    ? { file: '<recipe>' }
    : { file: location.file, line: location.line, column: location.column };
}

import { seedErrorAt } from './errors.js';
import { formatSeedPosition } from './format-seed-position.js';
import type { RawSeed, SeedPosition } from './seed-source.js';

/**
 * `s<sourceIndex>-<ordinal>`, the ordinal zero-padded to six digits so ids sort like positions for
 * the first million records of a source (`s0-000017`). Stable across runs: it depends only on the
 * recipe and the file, not on limit or sampling.
 */
export function formatSeedId(sourceIndex: number, ordinal: number): string {
  return `s${sourceIndex}-${String(ordinal).padStart(6, '0')}`;
}

/** The id a record carries: its idField value when the source names one, else its position. */
export function seedIdOf(seed: RawSeed, sourceIndex: number, idField: string | undefined): string {
  if (idField === undefined) return formatSeedId(sourceIndex, seed.ordinal);
  const value = seed.fields[idField];
  if (value === undefined || value === null) {
    throw seedErrorAt(seed.position, sourceIndex, `missing id field "${idField}"`);
  }
  if (typeof value === 'object' || typeof value === 'function') {
    throw seedErrorAt(seed.position, sourceIndex, `id field "${idField}" must be a string or a number`);
  }
  const id = String(value);
  if (id === '') {
    throw seedErrorAt(seed.position, sourceIndex, `id field "${idField}" is empty`);
  }
  return id;
}

/**
 * Remembers every id handed out, with where it came from, so a repeated id fails naming both places.
 * Memory grows with the number of records; only sources that use idField need it.
 */
export class SeedIdRegistry {
  private readonly firstSeen = new Map<string, SeedPosition>();

  register(id: string, seed: RawSeed, sourceIndex: number): void {
    const first = this.firstSeen.get(id);
    if (first !== undefined) {
      throw seedErrorAt(seed.position, sourceIndex, `duplicate id "${id}" (first used at ${formatSeedPosition(first)})`);
    }
    this.firstSeen.set(id, seed.position);
  }
}

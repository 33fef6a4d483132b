import { createSeededRandom, type SeededRandom } from '../seeded-random.js';

export interface ColumnRandom extends SeededRandom {
  /** A uniform float in [0, 1) with 53 random bits. */
  nextUnit(): number;
  /** The 53-bit seed this stream was made from (for generators that take their own seed, like faker). */
  seed: number;
}

/**
 * A column's own random stream, from the source's seed and the column's name: adding, removing or
 * reordering columns leaves every other column's values as they were. The name is hashed with
 * FNV-1a (32-bit) over its UTF-16 units, then mixed with the seed into a 53-bit integer.
 */
export function columnRandom(seed: number, column: string): ColumnRandom {
  let hash = 0x811c9dc5;
  for (let index = 0; index < column.length; index++) {
    hash = Math.imul(hash ^ column.charCodeAt(index), 0x01000193) >>> 0;
  }
  const mixed = Number(BigInt.asUintN(53, BigInt(seed) * 0x9e3779b97f4a7c15n + BigInt(hash)));
  const random = createSeededRandom(mixed);
  const nextUnit = (): number => ((random.nextUint32() >>> 5) * 67108864 + (random.nextUint32() >>> 6)) / 9007199254740992;
  return { ...random, nextUnit, seed: mixed };
}

import type { ColumnRandom } from './column-random.js';

/** An RFC 9562 version-4 UUID from the column's seeded stream, so the same recipe gives the same ids. */
export function drawUuid(random: ColumnRandom): string {
  const words = [random.nextUint32(), random.nextUint32(), random.nextUint32(), random.nextUint32()];
  words[1] = ((words[1]! & 0xffff0fff) | 0x00004000) >>> 0;
  words[2] = ((words[2]! & 0x3fffffff) | 0x80000000) >>> 0;
  const hex = words.map((word) => word.toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

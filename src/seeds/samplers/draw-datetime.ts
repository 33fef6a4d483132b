import type { ColumnRandom } from './column-random.js';
import { UNIT_MS, type DatetimeSpec } from './sampler-spec.js';

/**
 * An instant in [from, to], aligned to the unit in UTC (a `day` is a UTC midnight), every aligned
 * instant equally likely. Written as `2024-03-05` for days and `2024-03-05T14:07:00Z` otherwise.
 */
export function drawDatetime(spec: DatetimeSpec, random: ColumnRandom): string {
  const step = UNIT_MS[spec.unit];
  const first = Math.ceil(Date.parse(spec.from) / step);
  const last = Math.floor(Date.parse(spec.to) / step);
  const instant = new Date((first + Math.floor(random.nextUnit() * (last - first + 1))) * step).toISOString();
  return spec.unit === 'day' ? instant.slice(0, 10) : `${instant.slice(0, 19)}Z`;
}

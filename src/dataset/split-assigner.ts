/**
 * Split assignment by a hash of the record id.
 *
 * Unstratified: u = first 52 bits of sha256(id) / 2^52, uniform in [0, 1); the record goes to the
 * first split whose cumulative fraction exceeds u (splits in the order the recipe lists them). It
 * depends on the id alone, so a record keeps its split however much the dataset grows; the price is
 * sampling noise, a split of fraction p over n records has standard deviation sqrt(p(1-p)/n).
 *
 * Stratified (`stratify_by`): within each value of the field the records are ranked by u, and the
 * record of rank r among n gets the quantile q = (r + 0.5) / n, assigned like u above. Every stratum
 * then gets its fractions to within one record per split, small strata included. Adding a record to
 * a stratum shifts ranks by at most one, so at most one existing record per split boundary changes
 * split: (splits - 1) per added record.
 */
import crypto from 'node:crypto';
import { shortSha256Unit } from './short-sha256-unit.js';

const TWO_POW_52 = 2 ** 52;

export function hashUnit(id: string): number {
  const unit = shortSha256Unit(id);
  if (unit !== undefined) return unit;
  const digest = sha256(id);
  // 52 bits fit a double exactly: 20 high bits from the first word, 32 from the second.
  const high = digest.readUInt32BE(0) >>> 12;
  const low = digest.readUInt32BE(4);
  return (high * 2 ** 32 + low) / TWO_POW_52;
}

/** The one-shot `crypto.hash` (Node 20.12 and later) costs half a Hash object per id. */
const sha256: (text: string) => Buffer =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha256', text, 'buffer') : (text) => crypto.createHash('sha256').update(text).digest();

export type SplitFractions = readonly (readonly [name: string, fraction: number])[];

export function splitOfUnit(unit: number, splits: SplitFractions): string {
  let cumulative = 0;
  for (const [name, fraction] of splits) {
    cumulative += fraction;
    if (unit < cumulative) return name;
  }
  // Fractions that sum to 1 - ε leave a sliver at the top: it belongs to the last split.
  return splits[splits.length - 1]![0];
}

/** Collects (stratum, u) for every record, then answers the split of each in a second pass. */
export class StratifiedSplits {
  private readonly pending = new Map<string, number[]>();
  private readonly sorted = new Map<string, Float64Array>();

  constructor(private readonly splits: SplitFractions) {}

  add(stratum: string, unit: number): void {
    if (this.sorted.size) throw new Error('StratifiedSplits: add() after splitOf()');
    let units = this.pending.get(stratum);
    if (!units) this.pending.set(stratum, (units = []));
    units.push(unit);
  }

  splitOf(stratum: string, unit: number): string {
    if (!this.sorted.size) this.finish();
    const units = this.sorted.get(stratum);
    if (!units) throw new Error(`StratifiedSplits: unknown stratum ${stratum}`);
    const rank = lowerBound(units, unit);
    return splitOfUnit((rank + 0.5) / units.length, this.splits);
  }

  private finish(): void {
    for (const [stratum, units] of this.pending) this.sorted.set(stratum, Float64Array.from(units).sort());
    this.pending.clear();
  }
}

function lowerBound(values: Float64Array, target: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle]! < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The stratum a record belongs to: its field value as JSON, so 1 and "1" stay apart. */
export function stratumOf(fields: Record<string, unknown>, field: string): string {
  const value = fields[field];
  return value === undefined ? '(missing)' : JSON.stringify(value);
}

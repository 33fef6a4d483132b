import { seedErrorAt } from './errors.js';
import { entryPosition, type RawSeed, type SeedSourceSpec } from './seed-source.js';

type ProductSpec = SeedSourceSpec & { kind: 'product' };

/**
 * The most records one product source may expand to. Lists multiply quickly (ten lists of sixteen
 * values are 10^12 combinations): past this a product is almost surely a mistake, and expanding it
 * would write a stage file of gigabytes before the budget guard could see a single request. A product
 * with `limit: N` expands only N records, so the bound applies after `limit`.
 */
export const MAX_PRODUCT_RECORDS = 1_000_000;

/** How many records a product source yields, from the lengths of its lists, without expanding it. */
export function productRecordCount(spec: ProductSpec): { combinations: number; expanded: number; records: number } {
  const combinations = Object.values(spec.attributes).reduce((product, values) => product * values.length, 1);
  const expanded = spec.limit === undefined ? combinations : Math.min(combinations, spec.limit);
  const records = spec.sample === undefined ? expanded : Math.min(expanded, spec.sample.n);
  return { combinations, expanded, records };
}

/**
 * The cartesian product of attribute lists, generated lazily with an odometer: keys in the order they
 * are written, the last key varying fastest. `{a: [1, 2], b: [x, y]}` gives (1,x) (1,y) (2,x) (2,y).
 * Ten lists of ten values make 10^10 records, so nothing here may materialize the product.
 * Call checkProductAttributes first; this assumes every list is non-empty.
 */
export function* expandProduct(spec: ProductSpec): Generator<RawSeed> {
  const entry = entryPosition(spec);
  const keys = Object.keys(spec.attributes);
  const lists = keys.map((key) => spec.attributes[key] as unknown[]);
  const digits = keys.map(() => 0);
  let ordinal = 0;
  while (true) {
    const fields = Object.fromEntries(keys.map((key, index) => [key, lists[index]![digits[index]!]]));
    yield { fields, ordinal, position: { ...entry, record: ordinal + 1 } };
    ordinal += 1;
    let place = keys.length - 1;
    while (place >= 0 && digits[place]! + 1 === lists[place]!.length) {
      digits[place] = 0;
      place -= 1;
    }
    if (place < 0) return;
    digits[place] = digits[place]! + 1;
  }
}

/** What `validate` and `plan` say about each product source, checked (and refused over the limit) without expanding it. */
export interface ProductSeedCount {
  /** Index of the source in the recipe's `seeds:` list. */
  source: number;
  /** Every combination of the lists. */
  combinations: number;
  /** What the source yields after `limit` and `sample`. */
  records: number;
}

export function countProductSeeds(specs: readonly SeedSourceSpec[]): ProductSeedCount[] {
  const counts: ProductSeedCount[] = [];
  for (const [source, spec] of specs.entries()) {
    if (spec.kind !== 'product') continue;
    checkProductAttributes(spec, source);
    const { combinations, records } = productRecordCount(spec);
    counts.push({ source, combinations, records });
  }
  return counts;
}

/** A product needs at least one attribute, each a non-empty list, and at most MAX_PRODUCT_RECORDS records to expand. */
export function checkProductAttributes(spec: ProductSpec, sourceIndex: number): void {
  const entry = entryPosition(spec);
  const attributes: unknown = spec.attributes;
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    throw seedErrorAt(entry, sourceIndex, 'product needs a mapping of attribute names to lists of values');
  }
  const keys = Object.keys(attributes);
  if (keys.length === 0) {
    throw seedErrorAt(entry, sourceIndex, 'product needs at least one attribute');
  }
  for (const key of keys) {
    const values = (attributes as Record<string, unknown>)[key];
    if (!Array.isArray(values)) {
      throw seedErrorAt(entry, sourceIndex, `product attribute "${key}" must be a list of values`);
    }
    if (values.length === 0) {
      throw seedErrorAt(entry, sourceIndex, `product attribute "${key}" is an empty list, so the product has no records`);
    }
  }
  const { combinations, expanded } = productRecordCount(spec);
  if (expanded > MAX_PRODUCT_RECORDS) {
    const lengths = keys.map((key) => (attributes as Record<string, unknown[]>)[key]!.length).join(' × ');
    throw seedErrorAt(
      entry,
      sourceIndex,
      `product has ${formatCount(combinations)} combinations (${lengths}), over the limit of ${formatCount(MAX_PRODUCT_RECORDS)} records; ` +
        'add `limit: N` to the source, shorten the lists, or split it into several sources',
      { code: 'seed_product_too_large', details: { records: combinations, limit: MAX_PRODUCT_RECORDS } },
    );
  }
}

function formatCount(value: number): string {
  return Number.isSafeInteger(value) ? value.toLocaleString('en-US') : value.toExponential(2).replace('e+', 'e');
}

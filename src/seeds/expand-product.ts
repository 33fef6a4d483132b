import { seedErrorAt } from './errors.js';
import { entryPosition, type RawSeed, type SeedSourceSpec } from './seed-source.js';

type ProductSpec = SeedSourceSpec & { kind: 'product' };

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

/** A product needs at least one attribute, and each must be a non-empty list. */
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
}

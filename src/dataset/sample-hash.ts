import crypto from 'node:crypto';

/**
 * A sample's content hash: sha256 of its row without the id, as canonical JSON (keys sorted at every
 * level, so the same row read from JSONL or from Parquet, whose column order may differ, hashes
 * alike), cut to 128 bits, plenty to tell samples apart. `lineage.jsonl` records it; `diff` compares it.
 */
export function sampleContentHash(row: object): string {
  const { id: _id, ...content } = row as Record<string, unknown>;
  return sha256Hex(canonicalJson(content)).slice(0, 32);
}

/** The one-shot `crypto.hash` (Node 20.12 and later) halves the cost of a Hash object per row. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha256', text, 'hex') : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** A key V8 enumerates before all others, whatever order it was added in: sorting cannot place it. */
const INDEX_LIKE = /^\d+$/;

/**
 * JSON of a JSON value with object keys sorted at every level. Native `JSON.stringify` does the
 * writing, handed a sorted copy of each object whose keys are out of order; an object with a key
 * like "12" cannot be copied into sorted order (integer keys always come first), so such a value is
 * written by the reference serialiser instead. Both give the same text for every JSON value.
 */
export function canonicalJson(value: unknown): string {
  let sortable = true;
  const text = JSON.stringify(value ?? null, (_key, item: unknown) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
    const keys = Object.keys(item);
    if (inOrder(keys)) return item;
    if (keys.some((key) => INDEX_LIKE.test(key))) sortable = false;
    // A null prototype keeps a "__proto__" key an ordinary property.
    const sorted = Object.create(null) as Record<string, unknown>;
    for (const key of keys.sort()) sorted[key] = (item as Record<string, unknown>)[key];
    return sorted;
  });
  return sortable ? text : referenceCanonicalJson(value);
}

function inOrder(keys: readonly string[]): boolean {
  for (let index = 1; index < keys.length; index++) if (keys[index - 1]! > keys[index]!) return false;
  return true;
}

/** Canonical JSON written field by field: the definition `canonicalJson` must agree with. */
export function referenceCanonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value ?? null);
  if (Array.isArray(value)) {
    let text = '[';
    for (let index = 0; index < value.length; index++) text += (index ? ',' : '') + referenceCanonicalJson(value[index]);
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  let text = '{';
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined) continue;
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${referenceCanonicalJson(item)}`;
  }
  return `${text}}`;
}

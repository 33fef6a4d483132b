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

export function canonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value ?? null);
  if (Array.isArray(value)) {
    let text = '[';
    for (let index = 0; index < value.length; index++) text += (index ? ',' : '') + canonicalJson(value[index]);
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length > 1) keys.sort();
  let text = '{';
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${text}}`;
}

import { createHash } from 'node:crypto';

/**
 * A sample's content hash: sha256 of its row without the id, as canonical JSON (keys sorted at every
 * level, so the same row read from JSONL or from Parquet, whose column order may differ, hashes
 * alike), cut to 128 bits, plenty to tell samples apart. `lineage.jsonl` records it; `diff` compares it.
 */
export function sampleContentHash(row: object): string {
  const { id: _id, ...content } = row as Record<string, unknown>;
  return createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 32);
}

export function canonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value ?? null);
  if (Array.isArray(value)) {
    let text = '[';
    for (let index = 0; index < value.length; index++) text += (index ? ',' : '') + canonicalJson(value[index]);
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  let text = '{';
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined) continue;
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${text}}`;
}

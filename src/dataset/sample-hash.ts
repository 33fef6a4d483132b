import { createHash } from 'node:crypto';
import { isPlainObject } from './column-kinds.js';

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
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).filter((key) => value[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

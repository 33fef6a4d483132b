/**
 * Object ids: random for created objects, hash-derived for answer parts. Each vendor folder builds its own
 * prefixes and lengths on these.
 */
import { randomBytes } from 'node:crypto';
import { hashBytes, type HashPart } from './seeded-random.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(bytes: Buffer, length: number): string {
  let out = '';
  for (let index = 0; index < length; index++) out += BASE62[(bytes[index % bytes.length] ?? 0) % 62];
  return out;
}

export function randomId(prefix: string, length = 24): string {
  return `${prefix}${base62(randomBytes(length), length)}`;
}

/** The same id for the same parts; used inside answers so identical requests give identical bodies. */
export function derivedId(prefix: string, length: number, ...parts: HashPart[]): string {
  return `${prefix}${base62(hashBytes(length, ...parts), length)}`;
}

export const newRequestId = (): string => randomId('req_', 24);

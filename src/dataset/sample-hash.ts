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

export interface SerializedRow {
  /** `JSON.stringify` of the row as a data file holds it: without `id` unless the format writes it. */
  json: string;
  /** `sampleContentHash(row)`. */
  contentHash: string;
}

/**
 * The row's data-file JSON and its content hash in one walk, each string escaped once: escaping
 * is most of the cost of either text, and a row's strings are most of its bytes. Anything but
 * JSON data (a class instance, a toJSON method, a function) takes the two separate walks.
 */
export function serializeRow(row: object, keepId: boolean): SerializedRow {
  if (!walkObject(row as Record<string, unknown>, keepId ? KEEP_ID_IN_JSON : DROP_ID)) {
    const { id: _id, ...withoutId } = row as Record<string, unknown>;
    return { json: JSON.stringify(keepId ? row : withoutId), contentHash: sampleContentHash(row) };
  }
  return { json: walkedJson, contentHash: sha256Hex(walkedCanonical).slice(0, 32) };
}

/** Where `walk` leaves the texts of the value it walked: no pair allocated per value. */
let walkedJson = '';
let walkedCanonical = '';

const NO_ID_RULE = 0;
const KEEP_ID_IN_JSON = 1;
const DROP_ID = 2;
type IdRule = typeof NO_ID_RULE | typeof KEEP_ID_IN_JSON | typeof DROP_ID;

/**
 * What JSON.stringify escapes in a string (it escapes lone surrogates only; any surrogate goes to it):
 * `"`, `\\`, U+0000 to U+001F and U+D800 to U+DFFF, written as the complement of what it leaves, which
 * scans a fifth faster than the class of what it escapes.
 */
const NEEDS_ESCAPE = /[^ !#-\[\]-\ud7ff\ue000-\uffff]/;

/** `JSON.stringify(text)`: a regular expression finds "nothing to escape" in a third of its time. */
export function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** Object keys repeat on every row: each is quoted once (a bounded number of them, for `raw` rows of any shape). */
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 1024;

function quoteKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = quote(key);
    if (quotedKeys.size < MAX_QUOTED_KEYS) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** False when the value is not JSON data; `undefined` is the caller's to handle. */
function walk(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      walkedJson = walkedCanonical = quote(value);
      return true;
    case 'number':
    case 'boolean':
      walkedJson = walkedCanonical = JSON.stringify(value);
      return true;
    case 'object':
      if (value === null) {
        walkedJson = walkedCanonical = 'null';
        return true;
      }
      return Array.isArray(value) ? walkArray(value) : walkObject(value as Record<string, unknown>, NO_ID_RULE);
    default:
      return false;
  }
}

function walkArray(values: unknown[]): boolean {
  if (Object.getPrototypeOf(values) !== Array.prototype) return false;
  let json = '[';
  let canonical = '[';
  for (let index = 0; index < values.length; index++) {
    const item = values[index];
    const separator = index === 0 ? '' : ',';
    if (item === undefined) {
      json += `${separator}null`;
      canonical += `${separator}null`;
      continue;
    }
    if (!walk(item)) return false;
    json += separator + walkedJson;
    canonical += separator + walkedCanonical;
  }
  walkedJson = `${json}]`;
  walkedCanonical = `${canonical}]`;
  return true;
}

/** The top-level row leaves `id` out of its canonical text, and out of its JSON too unless the format writes it. */
function walkObject(record: Record<string, unknown>, idRule: IdRule): boolean {
  const prototype = Object.getPrototypeOf(record);
  if (prototype !== Object.prototype && prototype !== null) return false;
  const keys = Object.keys(record);
  const members: string[] = [];
  const memberKeys: string[] = [];
  let json = '{';
  let sorted = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    if (!walk(item)) return false;
    const name = quoteKey(key);
    if (key === 'id' && idRule !== NO_ID_RULE) {
      if (idRule === KEEP_ID_IN_JSON) json += `${json.length > 1 ? ',' : ''}${name}:${walkedJson}`;
      continue;
    }
    json += `${json.length > 1 ? ',' : ''}${name}:${walkedJson}`;
    if (memberKeys.length > 0 && !(memberKeys[memberKeys.length - 1]! < key)) sorted = false;
    memberKeys.push(key);
    members.push(`${name}:${walkedCanonical}`);
  }
  walkedJson = `${json}}`;
  if (!sorted) sortMembers(memberKeys, members);
  let canonical = '{';
  for (let index = 0; index < members.length; index++) canonical += (index === 0 ? '' : ',') + members[index]!;
  walkedCanonical = `${canonical}}`;
  return true;
}

/**
 * canonicalJson's order (keys.sort(): UTF-16 code units, as `<` compares strings), by insertion
 * sort of both lists together: a row's objects have a handful of keys.
 */
function sortMembers(keys: string[], members: string[]): void {
  for (let index = 1; index < keys.length; index++) {
    const key = keys[index]!;
    const member = members[index]!;
    let slot = index;
    for (; slot > 0 && key < keys[slot - 1]!; slot--) {
      keys[slot] = keys[slot - 1]!;
      members[slot] = members[slot - 1]!;
    }
    keys[slot] = key;
    members[slot] = member;
  }
}

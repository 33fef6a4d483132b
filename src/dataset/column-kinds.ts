/**
 * Column types for the data files, inferred from the rows themselves, so one schema covers every
 * format (and `raw`, whose columns are whatever the records hold). Parquet and the dataset card need
 * one type per column; a column whose values disagree (a string here, an object there) falls back to
 * `json`: the JSONL files keep the values as they are, Parquet stores them as JSON text.
 *
 * The kinds form a small lattice: `null` (nothing seen yet) joins with anything; `int64` with
 * `double` gives `double`; an empty list joins with any list kind; two struct lists join into
 * one with the union of their fields; anything else that differs joins to `json`.
 *
 * Embedding vectors: a list of numbers is `double-list` unless the writer was told the column holds
 * vectors (`vectorColumns`, e.g. the fields of embed steps); then it is `float32-list`, stored in
 * Parquet as list<float> (half the bytes; embedding models produce float32 anyway) and declared as
 * a float32 list feature. JSONL files keep the numbers exactly as the records held them.
 */
export type ColumnKind =
  | { type: 'string' }
  | { type: 'int64' }
  | { type: 'double' }
  | { type: 'bool' }
  | { type: 'json' }
  | { type: 'string-list' }
  /** A list of numbers. */
  | { type: 'double-list' }
  /** A list of numbers stored as float32: an embedding vector (a column named in `vectorColumns`). */
  | { type: 'float32-list' }
  /** A list of objects whose values are strings: chat messages (`role`, `content`), ShareGPT turns. */
  | { type: 'struct-list'; fields: string[] };

/** A kind while inference runs: `null` and `empty-list` are not decided yet. */
export type InferredKind = ColumnKind | { type: 'null' } | { type: 'empty-list' };

/** A row's columns and the kind of each value, in the row's key order (ColumnTracker.kindsOf). */
export type ColumnObservation = [name: string, kind: InferredKind][];

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
}

const JSON_KIND: ColumnKind = { type: 'json' };
const FLOAT32_LIST_KIND: ColumnKind = { type: 'float32-list' };

export function kindOfValue(value: unknown): InferredKind {
  if (value === null || value === undefined) return { type: 'null' };
  if (typeof value === 'string') return { type: 'string' };
  if (typeof value === 'boolean') return { type: 'bool' };
  if (typeof value === 'number') return Number.isSafeInteger(value) ? { type: 'int64' } : { type: 'double' };
  if (Array.isArray(value)) return kindOfList(value);
  return JSON_KIND;
}

function kindOfList(values: unknown[]): InferredKind {
  if (values.length === 0) return { type: 'empty-list' };
  if (values.every((item) => typeof item === 'string')) return { type: 'string-list' };
  if (values.every((item) => typeof item === 'number' && Number.isFinite(item))) return { type: 'double-list' };
  const fields: string[] = [];
  for (const item of values) {
    if (!isPlainObject(item)) return JSON_KIND;
    // Object.keys, not entries: no pair allocated per field of every row (this runs on each row).
    for (const key of Object.keys(item)) {
      const fieldValue = item[key];
      if (fieldValue !== null && typeof fieldValue !== 'string') return JSON_KIND;
      if (!fields.includes(key)) fields.push(key);
    }
  }
  return fields.length ? { type: 'struct-list', fields } : JSON_KIND;
}

export function mergeKinds(a: InferredKind, b: InferredKind): InferredKind {
  if (a.type === 'null') return b;
  if (b.type === 'null') return a;
  if (a.type === 'json' || b.type === 'json') return JSON_KIND;
  if (a.type === b.type) {
    if (a.type === 'struct-list' && b.type === 'struct-list') {
      const added = b.fields.filter((field) => !a.fields.includes(field));
      return added.length === 0 ? a : { type: 'struct-list', fields: [...a.fields, ...added] };
    }
    return a;
  }
  const pair = new Set([a.type, b.type]);
  if (pair.has('int64') && pair.has('double')) return { type: 'double' };
  if (pair.has('empty-list') && (pair.has('string-list') || pair.has('double-list') || pair.has('float32-list') || pair.has('struct-list'))) {
    return a.type === 'empty-list' ? b : a;
  }
  return JSON_KIND;
}

/** What is still undecided after every row was seen gets the simplest type that holds it. */
export function settleKind(kind: InferredKind): ColumnKind {
  if (kind.type === 'null') return { type: 'string' };
  if (kind.type === 'empty-list') return { type: 'string-list' };
  return kind;
}

/**
 * Watches rows go by and keeps one kind per column, in order of first appearance (after the
 * format's own columns, so an empty split still has its format's schema).
 */
export class ColumnTracker {
  private readonly kinds = new Map<string, InferredKind>();
  private readonly vectorColumns: ReadonlySet<string>;

  /** `vectorColumns`: columns whose lists of numbers are embedding vectors (stored as float32). */
  constructor(hints: readonly { name: string; kind: InferredKind }[] = [], options: { vectorColumns?: readonly string[] } = {}) {
    for (const hint of hints) this.kinds.set(hint.name, hint.kind);
    this.vectorColumns = new Set(options.vectorColumns ?? []);
  }

  /**
   * True when a column appeared or its kind changed (the columns may then read differently).
   * `except`: a key that is not a column (the id of a format whose data files leave it out).
   */
  observe(row: object, except?: string): boolean {
    let changed = false;
    const values = row as Record<string, unknown>;
    for (const name of Object.keys(values)) {
      const value = values[name];
      if (value === undefined || name === except) continue;
      const seen = this.kinds.get(name);
      // Nearly every row repeats the kinds already seen: no kind built or merged for it.
      if (seen !== undefined && this.keepsKind(seen, name, value)) continue;
      let kind = kindOfValue(value);
      if (kind.type === 'double-list' && this.vectorColumns.has(name)) kind = FLOAT32_LIST_KIND;
      const merged = seen === undefined ? kind : mergeKinds(seen, kind);
      if (seen !== undefined && !kindChanged(seen, merged)) continue;
      this.kinds.set(name, merged);
      changed = true;
    }
    return changed;
  }

  /**
   * The kinds `observe` would merge for `row`, in its key order: what a thread that mapped the row
   * sends the tracker that keeps the columns (observeKinds), instead of the row.
   */
  kindsOf(row: object, except?: string): ColumnObservation {
    const kinds: ColumnObservation = [];
    const values = row as Record<string, unknown>;
    for (const name of Object.keys(values)) {
      const value = values[name];
      if (value === undefined || name === except) continue;
      const kind = kindOfValue(value);
      kinds.push([name, kind.type === 'double-list' && this.vectorColumns.has(name) ? FLOAT32_LIST_KIND : kind]);
    }
    return kinds;
  }

  /** `observe` of the row `kinds` were taken from (kindsOf): the same columns, the same answer. */
  observeKinds(kinds: ColumnObservation): boolean {
    let changed = false;
    for (const [name, kind] of kinds) {
      const seen = this.kinds.get(name);
      const merged = seen === undefined ? kind : mergeKinds(seen, kind);
      if (seen !== undefined && !kindChanged(seen, merged)) continue;
      this.kinds.set(name, merged);
      changed = true;
    }
    return changed;
  }

  /** True only when `mergeKinds(seen, kind of value)` would leave `seen` as it is. */
  private keepsKind(seen: InferredKind, name: string, value: unknown): boolean {
    if (value === null || seen.type === 'json') return true;
    switch (typeof value) {
      case 'string':
        return seen.type === 'string';
      case 'boolean':
        return seen.type === 'bool';
      case 'number':
        return seen.type === 'double' || (seen.type === 'int64' && Number.isSafeInteger(value));
      case 'object':
        return Array.isArray(value) && this.listKeepsKind(seen, name, value);
      default:
        return false;
    }
  }

  private listKeepsKind(seen: InferredKind, name: string, values: unknown[]): boolean {
    if (values.length === 0) return seen.type === 'empty-list' || seen.type === 'string-list' || seen.type === 'double-list' || seen.type === 'float32-list' || seen.type === 'struct-list';
    switch (seen.type) {
      case 'string-list':
        return values.every((item) => typeof item === 'string');
      case 'double-list':
      case 'float32-list':
        return seen.type === (this.vectorColumns.has(name) ? 'float32-list' : 'double-list') && values.every((item) => typeof item === 'number' && Number.isFinite(item));
      case 'struct-list':
        return structsKeepFields(values, seen.fields);
      default:
        return false;
    }
  }

  columns(): ColumnSpec[] {
    return [...this.kinds].map(([name, kind]) => ({ name, kind: settleKind(kind) }));
  }
}

/** Objects whose values are strings (or null) under keys all in `fields`, one key at least: kindOfList's struct list, no new field. */
function structsKeepFields(values: unknown[], fields: readonly string[]): boolean {
  let keys = 0;
  for (const item of values) {
    if (!isPlainObject(item)) return false;
    for (const key of Object.keys(item)) {
      const fieldValue = item[key];
      if ((fieldValue !== null && typeof fieldValue !== 'string') || !fields.includes(key)) return false;
      keys++;
    }
  }
  return keys > 0;
}

/** Only a struct list changes within its type (fields added; mergeKinds then makes a new kind). */
function kindChanged(seen: InferredKind, merged: InferredKind): boolean {
  return merged.type !== seen.type || (merged.type === 'struct-list' && merged !== seen);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

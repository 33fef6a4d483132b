import type { ColumnKind, ColumnSpec } from './column-kinds.js';
import { AsciiText } from './parquet-ascii-text.js';
import { toParquetValue } from './parquet-columns.js';
import { ESCAPED, NULL, ParquetRowScan } from './parquet-row-scan.js';

/** A row as the writer was handed it: an object, or its JSON text. */
export type BufferedRow = object | string;

/**
 * One row group's columns, built as its rows arrive: each row is parsed and taken apart at once, so
 * its JSON text and strings die young, and what waits for the group is the text's bytes in one
 * arena (parquet-ascii-text.ts) rather than strings the garbage collector copies on every pass.
 *
 * Each text leaf of a group (a string column, the items of a string list, one field of a struct
 * list) is either all bytes or all strings, as the writer needs to give the same file: a leaf
 * starts as bytes when its first value is long text, and turns back to strings, the views it holds
 * included, at its first value that is not ASCII.
 */
export class ParquetColumnBuffer {
  private readonly text = new AsciiText();
  private readonly columns: ColumnBuilder[];
  private readonly scan: ParquetRowScan | undefined;
  rows = 0;

  constructor(columns: readonly ColumnSpec[]) {
    this.columns = columns.map(({ name, kind }) => columnBuilderOf(name, kind, this.text));
    this.scan = ParquetRowScan.of(columns);
  }

  /**
   * A row as its line's bytes (valid UTF-8 JSON, no newline), as `add` takes its decoded text:
   * where parquet-row-scan.ts finds its values, they are taken from the bytes, with no object or
   * string made for the row, and long text handed over as views of the line, not copied: the
   * line's bytes must not change until `clear`.
   */
  addLine(line: Buffer): void {
    const scan = this.scan;
    if (!scan?.scan(line)) {
      this.add(line.toString('utf8'));
      return;
    }
    for (let index = 0; index < this.columns.length; index++) this.columns[index]!.addScanned!(scan, scan.column(index), line);
    this.rows++;
  }

  add(row: BufferedRow): void {
    const record = (typeof row === 'string' ? JSON.parse(row) : row) as Record<string, unknown>;
    for (const column of this.columns) column.add(record[column.name]);
    this.rows++;
  }

  /** The group's columns, as `ParquetWriter.write` takes them; valid until `clear`. */
  columnData(): { name: string; data: unknown[] }[] {
    return this.columns.map((column) => ({ name: column.name, data: column.values }));
  }

  /** The next group starts: the previous group's views are no longer read. */
  clear(): void {
    for (const column of this.columns) column.clear();
    this.text.startGroup();
    this.rows = 0;
  }
}

interface ColumnBuilder {
  readonly name: string;
  values: unknown[];
  add(value: unknown): void;
  /** The value `scan` found at `at` in `line` (-1: none); only for columns `ParquetRowScan.of` takes. */
  addScanned?(scan: ParquetRowScan, at: number, line: Buffer): void;
  clear(): void;
}

/** Strings shorter than this start a leaf as strings (see parquet-ascii-text.ts). */
const LONG_TEXT = 32;

/** Whether a text leaf holds bytes or strings in the current group; undecided until its first string. */
class TextLeaf {
  private mode: 'bytes' | 'strings' | undefined;

  constructor(
    private readonly text: AsciiText,
    /** Turns every value the leaf has taken so far back to strings. */
    private readonly backToStrings: (toString: (value: unknown) => unknown) => void,
  ) {}

  take(value: unknown): unknown {
    if (value === null || value === undefined || this.mode === 'strings') return value;
    if (typeof value === 'string') {
      if (this.mode === undefined) this.mode = value.length >= LONG_TEXT ? 'bytes' : 'strings';
      if (this.mode === 'strings') return value;
      const view = this.text.view(value);
      if (view) return view;
    }
    this.mode = 'strings';
    this.backToStrings(viewToString);
    return value;
  }

  /** A text token of a `ParquetRowScan` (its kind, start and end in `line`), as `take` takes its value. */
  takeToken(line: Buffer, kind: number, start: number, end: number): unknown {
    if (kind > ESCAPED || kind === NULL) return null;
    if (kind === ESCAPED) return this.take(JSON.parse(line.toString('latin1', start - 1, end + 1)));
    // The scanned line is ASCII: its latin1 bytes are the string, and the string's length theirs.
    if (this.mode === undefined) this.mode = end - start >= LONG_TEXT ? 'bytes' : 'strings';
    return this.mode === 'strings' ? line.toString('latin1', start, end) : new Uint8Array(line.buffer, line.byteOffset + start, end - start);
  }

  clear(): void {
    this.mode = undefined;
  }
}

function viewToString(value: unknown): unknown {
  return value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.length).toString('latin1') : value;
}

function columnBuilderOf(name: string, kind: ColumnKind, text: AsciiText): ColumnBuilder {
  switch (kind.type) {
    case 'string':
    case 'json':
      return new TextColumn(name, kind, text);
    case 'string-list':
      return new TextListColumn(name, text);
    case 'struct-list':
      return new StructListColumn(name, kind, text);
    default:
      return new PlainColumn(name, kind);
  }
}

class PlainColumn implements ColumnBuilder {
  values: unknown[] = [];

  constructor(
    readonly name: string,
    private readonly kind: ColumnKind,
  ) {}

  add(value: unknown): void {
    this.values.push(toParquetValue(this.kind, value));
  }

  clear(): void {
    this.values = [];
  }
}

class TextColumn implements ColumnBuilder {
  values: unknown[] = [];
  private readonly leaf: TextLeaf;

  constructor(
    readonly name: string,
    private readonly kind: ColumnKind,
    text: AsciiText,
  ) {
    this.leaf = new TextLeaf(text, (toString) => {
      for (let i = 0; i < this.values.length; i++) this.values[i] = toString(this.values[i]);
    });
  }

  add(value: unknown): void {
    this.values.push(this.leaf.take(toParquetValue(this.kind, value)));
  }

  addScanned(scan: ParquetRowScan, at: number, line: Buffer): void {
    const tokens = scan.tokens;
    this.values.push(at < 0 ? null : this.leaf.takeToken(line, tokens[at]!, tokens[at + 1]!, tokens[at + 2]!));
  }

  clear(): void {
    this.values = [];
    this.leaf.clear();
  }
}

class TextListColumn implements ColumnBuilder {
  values: unknown[] = [];
  private readonly leaf: TextLeaf;

  constructor(
    readonly name: string,
    text: AsciiText,
  ) {
    this.leaf = new TextLeaf(text, (toString) => {
      for (const list of this.values) {
        if (Array.isArray(list)) for (let i = 0; i < list.length; i++) list[i] = toString(list[i]);
      }
    });
  }

  add(value: unknown): void {
    if (!Array.isArray(value)) {
      this.values.push(value ?? null);
      return;
    }
    // A fresh list (a row object may be the caller's), in the column before its items are taken,
    // so a leaf turned back to strings midway turns this row's items too.
    const list: unknown[] = [];
    this.values.push(list);
    for (const item of value) list.push(this.leaf.take(item));
  }

  clear(): void {
    this.values = [];
    this.leaf.clear();
  }
}

class StructListColumn implements ColumnBuilder {
  values: unknown[] = [];
  private readonly leaves: (TextLeaf | undefined)[];

  private readonly fields: readonly string[];

  constructor(
    readonly name: string,
    private readonly kind: ColumnKind & { type: 'struct-list' },
    text: AsciiText,
  ) {
    const fields = (this.fields = kind.fields);
    // A field named __proto__ stays strings: struct objects take it through defineProperty only.
    this.leaves = fields.map((field) =>
      field === '__proto__'
        ? undefined
        : new TextLeaf(text, (toString) => {
            for (const list of this.values) {
              if (Array.isArray(list)) for (const struct of list as Record<string, unknown>[]) struct[field] = toString(struct[field]);
            }
          }),
    );
  }

  add(value: unknown): void {
    // In the column before its fields are taken, as in TextListColumn.
    const structs = toParquetValue(this.kind, value) as Record<string, unknown>[] | null;
    this.values.push(structs);
    if (structs) {
      for (const struct of structs) {
        for (let f = 0; f < this.fields.length; f++) {
          const leaf = this.leaves[f];
          if (leaf) struct[this.fields[f]!] = leaf.take(struct[this.fields[f]!]);
        }
      }
    }
  }

  addScanned(scan: ParquetRowScan, at: number, line: Buffer): void {
    const tokens = scan.tokens;
    const count = at < 0 ? -1 : tokens[at]!;
    if (count < 0) {
      this.values.push(null);
      return;
    }
    const structs: Record<string, unknown>[] = [];
    this.values.push(structs);
    // ParquetRowScan.of takes no field named __proto__: every field has its leaf.
    let token = at + 1;
    for (let item = 0; item < count; item++) {
      const struct: Record<string, unknown> = {};
      for (let f = 0; f < this.fields.length; f++, token += 3) {
        struct[this.fields[f]!] = this.leaves[f]!.takeToken(line, tokens[token]!, tokens[token + 1]!, tokens[token + 2]!);
      }
      structs.push(struct);
    }
  }

  clear(): void {
    this.values = [];
    for (const leaf of this.leaves) leaf?.clear();
  }
}

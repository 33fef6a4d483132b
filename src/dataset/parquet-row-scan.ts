import { isAscii } from 'node:buffer';
import type { ColumnSpec } from './column-kinds.js';

/** What a scanned text value is; `ABSENT` only for a struct field the item did not name. */
export const NULL = 0;
export const PLAIN = 1;
export const ESCAPED = 2;
export const ABSENT = 3;

/**
 * Where a row's text values lie in its JSON line, found without parsing it: for rows of string and
 * struct-list columns whose line is ASCII (the chat `{"messages":[{"role":…,"content":…}]}` and
 * flat `{"prompt":…,"completion":…}` shapes), so their text can be copied from the line's bytes
 * rather than decoded into strings by `JSON.parse` and encoded again. Anything else a row holds (a
 * number, whitespace, a key that is no column, a key twice, non-ASCII) makes `scan` say no, and the
 * row is parsed as before. The lines are JSON.stringify's output (the JSONL file we wrote), so a
 * raw control character in a string, which JSON.parse would refuse, is not looked for.
 *
 * After a `scan`, `column(c)` is where column c's value starts in `tokens` (-1: the row has no such
 * key). A string column's value is one text token; a struct-list's is its item count (-1: null),
 * then each item's fields, in the kind's field order, a text token each. A text token is three
 * numbers: its kind (NULL, PLAIN, ESCAPED, ABSENT), then the start and end of its characters in the
 * line (an ESCAPED one still as JSON text, between its quotes).
 */
export class ParquetRowScan {
  tokens = new Int32Array(256);
  private length = 0;
  private readonly starts: Int32Array;
  private readonly names: Buffer[];
  private readonly fields: (Buffer[] | undefined)[];
  private line: Buffer = Buffer.alloc(0);
  private at = 0;
  /** The line's next backslash at or after `at` (-1: none): most lines have none, and it is looked for once. */
  private backslash = -1;
  private escaped = false;

  private constructor(columns: readonly ColumnSpec[]) {
    this.starts = new Int32Array(columns.length);
    this.names = columns.map(({ name }) => Buffer.from(name));
    this.fields = columns.map(({ kind }) => (kind.type === 'struct-list' ? kind.fields.map((field) => Buffer.from(field)) : undefined));
  }

  /** A scanner for these columns, or none when a column's values could not be taken from the line as they are. */
  static of(columns: readonly ColumnSpec[]): ParquetRowScan | undefined {
    const scannable = columns.every(
      ({ name, kind }) => name !== '__proto__' && (kind.type === 'string' || (kind.type === 'struct-list' && !kind.fields.includes('__proto__'))),
    );
    return scannable ? new ParquetRowScan(columns) : undefined;
  }

  column(index: number): number {
    return this.starts[index]!;
  }

  /** Whether the row was scanned; `line` is one row's JSON, no newline. */
  scan(line: Buffer): boolean {
    if (!isAscii(line)) return false;
    this.line = line;
    this.length = 0;
    this.starts.fill(-1);
    this.backslash = line.indexOf(92);
    this.at = 0;
    if (!this.take(0x7b)) return false;
    if (this.take(0x7d)) return this.at === line.length;
    do {
      const column = this.key(this.names);
      if (column < 0 || this.starts[column] !== -1 || !this.take(0x3a)) return false;
      this.starts[column] = this.length;
      const fields = this.fields[column];
      if (!(fields ? this.structList(fields) : this.text())) return false;
    } while (this.take(0x2c));
    return this.take(0x7d) && this.at === line.length;
  }

  private structList(fields: Buffer[]): boolean {
    const countAt = this.reserve(1);
    if (this.literalNull()) {
      this.tokens[countAt] = -1;
      return true;
    }
    if (!this.take(0x5b)) return false;
    let count = 0;
    if (!this.take(0x5d)) {
      do {
        if (!this.struct(fields)) return false;
        count++;
      } while (this.take(0x2c));
      if (!this.take(0x5d)) return false;
    }
    this.tokens[countAt] = count;
    return true;
  }

  private struct(fields: Buffer[]): boolean {
    if (!this.take(0x7b)) return false;
    const first = this.reserve(3 * fields.length);
    for (let f = 0; f < fields.length; f++) this.tokens[first + 3 * f] = ABSENT;
    if (this.take(0x7d)) return true;
    do {
      const field = this.key(fields);
      if (field < 0 || this.tokens[first + 3 * field] !== ABSENT || !this.take(0x3a)) return false;
      if (!this.textAt(first + 3 * field)) return false;
    } while (this.take(0x2c));
    return this.take(0x7d);
  }

  private text(): boolean {
    return this.textAt(this.reserve(3));
  }

  /** A string or null into the token at `slot`. */
  private textAt(slot: number): boolean {
    if (this.literalNull()) {
      this.tokens[slot] = NULL;
      return true;
    }
    if (!this.take(0x22)) return false;
    const start = this.at;
    const end = this.stringEnd();
    if (end < 0) return false;
    this.tokens[slot] = this.escaped ? ESCAPED : PLAIN;
    this.tokens[slot + 1] = start;
    this.tokens[slot + 2] = end;
    this.at = end + 1;
    return true;
  }

  /** The index of the name the key at `at` spells, or -1; `at` moves past its closing quote. */
  private key(names: Buffer[]): number {
    if (!this.take(0x22)) return -1;
    const start = this.at;
    const end = this.stringEnd();
    if (end < 0 || this.escaped) return -1;
    this.at = end + 1;
    const length = end - start;
    for (let index = 0; index < names.length; index++) {
      if (this.spells(names[index]!, start, length)) return index;
    }
    return -1;
  }

  /** A byte loop: keys are short, and Buffer.compare's argument checks cost more than comparing them. */
  private spells(name: Buffer, start: number, length: number): boolean {
    if (name.length !== length) return false;
    const line = this.line;
    for (let i = 0; i < length; i++) if (line[start + i] !== name[i]) return false;
    return true;
  }

  /**
   * Where the string starting at `at` ends (its closing quote), skipping escaped characters; -1:
   * unterminated. `escaped` says whether it holds an escape.
   */
  private stringEnd(): number {
    const line = this.line;
    let quote = line.indexOf(0x22, this.at);
    this.escaped = false;
    while (this.backslash !== -1 && quote !== -1 && this.backslash < quote) {
      this.escaped = true;
      const next = this.backslash + 2;
      this.backslash = line.indexOf(92, next);
      if (quote < next) quote = line.indexOf(0x22, next);
    }
    return quote;
  }

  private literalNull(): boolean {
    const line = this.line;
    const at = this.at;
    if (line[at] !== 0x6e || line[at + 1] !== 0x75 || line[at + 2] !== 0x6c || line[at + 3] !== 0x6c) return false;
    this.at = at + 4;
    return true;
  }

  private take(byte: number): boolean {
    if (this.line[this.at] !== byte) return false;
    this.at++;
    return true;
  }

  private reserve(count: number): number {
    const at = this.length;
    this.length += count;
    if (this.length > this.tokens.length) {
      const grown = new Int32Array(Math.max(this.tokens.length * 2, this.length));
      grown.set(this.tokens);
      this.tokens = grown;
    }
    return at;
  }
}

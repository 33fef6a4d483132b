/**
 * Finds a stage line's id and compared fields in its UTF-8 bytes without JSON.parse of the whole
 * record (≈ 2.4 KB of fields and lineage, read for one field): the line is walked once, validated
 * to the JSON grammar as it goes, and only the values dedup needs are read.
 *
 * locate() answers false whenever the result could differ from JSON.parse + dedupTextOf in any way
 * (malformed or unusual JSON, a duplicate key on the way (JSON.parse keeps the last), a missing or
 * non-object `fields`, a missing compared field, a path through something other than objects and
 * canonical array indices, nesting deeper than MAX_DEPTH, …): the caller then takes the JSON.parse
 * path, so failures and their errors stay exactly as they were.
 *
 * A compared value that is a string of ASCII bytes with no `\u` escape is left as a byte span for
 * normalizeJsonAsciiInto (normalize.ts): every other escape decodes to a word break. A compared
 * field's string found by its literal key (the common case, most of the line's bytes) is not even
 * checked here: its end is found by its closing quote, and the normalising scan, which reads every
 * byte of it anyway, checks it (false there: the line is parsed instead). Any other value
 * (non-ASCII or `\u` string, number, object, …) is decoded alone (JSON.parse of its slice, which
 * gives what parsing the whole record gave) and left as text.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MAX_DEPTH = 64;

// String bytes: 0 ordinary ASCII, 1 quote, 2 backslash, 3 control (invalid unescaped), 4 ≥ 0x80.
const STRING_CLASS = new Uint8Array(256);
for (let byte = 0; byte < 0x20; byte++) STRING_CLASS[byte] = 3;
STRING_CLASS[QUOTE] = 1;
STRING_CLASS[BACKSLASH] = 2;
for (let byte = 0x80; byte < 0x100; byte++) STRING_CLASS[byte] = 4;

// Escapes that decode to one ASCII character (`\u` is handled apart).
const SIMPLE_ESCAPE = new Uint8Array(256);
for (const char of '"\\/bfnrt') SIMPLE_ESCAPE[char.charCodeAt(0)] = 1;

const HEX = new Uint8Array(256);
for (const char of '0123456789abcdefABCDEF') HEX[char.charCodeAt(0)] = 1;

const WHITESPACE = new Uint8Array(256);
for (const char of ' \t\n\r') WHITESPACE[char.charCodeAt(0)] = 1;

const FLAG_ESCAPES = 1;
const FLAG_COMPLEX = 2;
/** A compared string whose contents were not checked here: normalizeJsonAsciiInto checks them. */
const FLAG_UNCHECKED = 4;

const ID_KEY = asciiBytes('id')!;
const FIELDS_KEY = asciiBytes('fields')!;

/** One member of an object: key bytes [keyStart, keyEnd) without quotes, value bytes [valueStart, valueEnd). */
class Members {
  count = 0;
  keyStarts = new Int32Array(64);
  keyEnds = new Int32Array(64);
  keyFlags = new Uint8Array(64);
  /** A string value's flags (FLAG_ESCAPES, FLAG_COMPLEX); 0 for other values. */
  valueFlags = new Uint8Array(64);
  valueStarts = new Int32Array(64);
  valueEnds = new Int32Array(64);

  push(keyStart: number, keyEnd: number, keyFlags: number, valueStart: number, valueEnd: number, valueFlags: number): void {
    if (this.count === this.keyStarts.length) this.grow();
    const at = this.count++;
    this.keyStarts[at] = keyStart;
    this.keyEnds[at] = keyEnd;
    this.keyFlags[at] = keyFlags;
    this.valueFlags[at] = valueFlags;
    this.valueStarts[at] = valueStart;
    this.valueEnds[at] = valueEnd;
  }

  private grow(): void {
    const size = this.keyStarts.length * 2;
    const grown = <T extends Int32Array | Uint8Array>(array: T, make: (size: number) => T): T => {
      const copy = make(size);
      copy.set(array);
      return copy;
    };
    this.keyStarts = grown(this.keyStarts, (n) => new Int32Array(n));
    this.keyEnds = grown(this.keyEnds, (n) => new Int32Array(n));
    this.keyFlags = grown(this.keyFlags, (n) => new Uint8Array(n));
    this.valueFlags = grown(this.valueFlags, (n) => new Uint8Array(n));
    this.valueStarts = grown(this.valueStarts, (n) => new Int32Array(n));
    this.valueEnds = grown(this.valueEnds, (n) => new Int32Array(n));
  }
}

/** A compared field path: its literal key and its dot-separated segments (dedupTextOf's rules). */
interface FieldPath {
  literal: string;
  literalBytes: Uint8Array | undefined;
  segments: { text: string; bytes: Uint8Array | undefined }[];
}

export class StageRecordLocator {
  /** After a successful locate(): the record's id (what JSON.parse gave). */
  id: unknown = undefined;
  /**
   * After a successful locate(): per compared field, in spec order, the byte span of a string's
   * contents (between its quotes) in spanStarts/spanEnds, ASCII without `\u` if valid (a span may
   * be unchecked: see the file comment), or its text in texts[i] (then the span is [0, 0)).
   */
  readonly spanStarts: Uint32Array;
  readonly spanEnds: Uint32Array;
  readonly texts: (string | undefined)[];
  /** True when every compared field is a byte span (no text decoded). */
  allSpans = false;

  private bytes: Uint8Array = new Uint8Array(0);
  private readonly top = new Members();
  private readonly fieldMembers = new Members();
  private readonly nested = new Members();
  private fieldsStart = -1;
  private stringFlags = 0;
  private readonly paths: FieldPath[];
  /** The compared paths' literal keys (ASCII ones), whose string values are skipped unchecked. */
  private readonly uncheckedKeys: Uint8Array[];

  constructor(fields: readonly string[]) {
    this.paths = fields.map((path) => ({
      literal: path,
      literalBytes: asciiBytes(path),
      segments: path.split('.').map((segment) => ({ text: segment, bytes: asciiBytes(segment) })),
    }));
    this.uncheckedKeys = this.paths.flatMap((path) => (path.literalBytes === undefined ? [] : [path.literalBytes]));
    this.spanStarts = new Uint32Array(fields.length);
    this.spanEnds = new Uint32Array(fields.length);
    this.texts = new Array<string | undefined>(fields.length).fill(undefined);
  }

  /** Reads the line bytes[start, end); false when in any doubt (the caller parses it instead). */
  locate(bytes: Uint8Array, start: number, end: number): boolean {
    this.bytes = bytes;
    this.top.count = 0;
    this.fieldMembers.count = 0;
    this.fieldsStart = -1;
    let at = this.skipWhitespace(start, end);
    if (at >= end || bytes[at] !== 0x7b) return false;
    at = this.object(at, end, 0, this.top);
    if (at < 0 || this.skipWhitespace(at, end) !== end) return false;
    const idAt = this.uniqueMember(this.top, ID_KEY, 'id');
    const fieldsAt = this.uniqueMember(this.top, FIELDS_KEY, 'fields');
    // A missing id is not a failure (JSON.parse gives undefined), but it is rare: let JSON.parse say so.
    if (idAt < 0 || fieldsAt < 0 || this.top.valueStarts[fieldsAt] !== this.fieldsStart) return false;
    this.id = this.valueOf(this.top.valueStarts[idAt]!, this.top.valueEnds[idAt]!, this.top.valueFlags[idAt]!);
    let allSpans = true;
    for (let field = 0; field < this.paths.length; field++) {
      if (!this.resolve(field, end)) return false;
      if (this.texts[field] !== undefined) allSpans = false;
    }
    this.allSpans = allSpans;
    return true;
  }

  /** The field's value found by literal key, else by dotted path, into its span or text; false when in doubt. */
  private resolve(field: number, end: number): boolean {
    const path = this.paths[field]!;
    const literal = this.uniqueMember(this.fieldMembers, path.literalBytes, path.literal);
    if (literal === -2) return false;
    let valueStart: number;
    let valueEnd: number;
    let valueFlags: number;
    if (literal >= 0) {
      valueStart = this.fieldMembers.valueStarts[literal]!;
      valueEnd = this.fieldMembers.valueEnds[literal]!;
      valueFlags = this.fieldMembers.valueFlags[literal]!;
    } else {
      if (path.segments.length === 1) return false;
      let members = this.fieldMembers;
      valueStart = -1;
      valueEnd = -1;
      valueFlags = 0;
      for (let index = 0; index < path.segments.length; index++) {
        const segment = path.segments[index]!;
        if (index > 0) {
          const opener = this.bytes[valueStart];
          if (opener === 0x5b) {
            const element = this.arrayElement(valueStart, end, segment.text);
            if (element === undefined) return false;
            [valueStart, valueEnd] = element;
            this.stringFlags = 0;
            if (this.bytes[valueStart] === QUOTE) this.string(valueStart, valueEnd);
            valueFlags = this.stringFlags;
            continue;
          }
          if (opener !== 0x7b) return false;
          members = this.nested;
          members.count = 0;
          if (this.object(valueStart, end, 0, members) !== valueEnd) return false;
        }
        const found = this.uniqueMember(members, segment.bytes, segment.text);
        if (found < 0) return false;
        valueStart = members.valueStarts[found]!;
        valueEnd = members.valueEnds[found]!;
        valueFlags = members.valueFlags[found]!;
      }
    }
    if (this.bytes[valueStart] === QUOTE && ((valueFlags & FLAG_UNCHECKED) !== 0 || (valueFlags & FLAG_COMPLEX) === 0)) {
      this.spanStarts[field] = valueStart + 1;
      this.spanEnds[field] = valueEnd - 1;
      this.texts[field] = undefined;
      return true;
    }
    const value = this.valueOf(valueStart, valueEnd, valueFlags);
    this.spanStarts[field] = 0;
    this.spanEnds[field] = 0;
    this.texts[field] = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
    return true;
  }

  /** Element `segment` of the array at `start` when the segment is a canonical index within it. */
  private arrayElement(start: number, end: number, segment: string): [number, number] | undefined {
    if (!/^(0|[1-9][0-9]{0,8})$/.test(segment)) return undefined;
    const wanted = Number(segment);
    let at = this.skipWhitespace(start + 1, end);
    if (this.bytes[at] === 0x5d) return undefined;
    for (let index = 0; ; index++) {
      const valueEnd = this.value(at, end, 1);
      if (valueEnd < 0) return undefined;
      if (index === wanted) return [at, valueEnd];
      at = this.skipWhitespace(valueEnd, end);
      if (this.bytes[at] !== 0x2c) return undefined;
      at = this.skipWhitespace(at + 1, end);
    }
  }

  /**
   * The index of the one member whose key is `key`: -1 when absent, -2 when it occurs twice (JSON.parse
   * keeps the last; not worth following). `keyBytes` is the key's bytes when ASCII.
   */
  private uniqueMember(members: Members, keyBytes: Uint8Array | undefined, key: string): number {
    let found = -1;
    for (let index = 0; index < members.count; index++) {
      if (!this.keyEquals(members, index, keyBytes, key)) continue;
      if (found >= 0) return -2;
      found = index;
    }
    return found;
  }

  private keyEquals(members: Members, index: number, keyBytes: Uint8Array | undefined, key: string): boolean {
    const start = members.keyStarts[index]!;
    const end = members.keyEnds[index]!;
    if (members.keyFlags[index] !== 0) return JSON.parse(Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start - 1, end - start + 2).toString('utf8')) === key;
    return keyBytes !== undefined && this.isKey(start, end, keyBytes);
  }

  /** JSON.parse of one value's bytes: what parsing the whole record gave for it. */
  private valueOf(start: number, end: number, flags: number): unknown {
    const bytes = this.bytes;
    if (bytes[start] === QUOTE && flags === 0) {
      return Buffer.from(bytes.buffer, bytes.byteOffset + start + 1, end - start - 2).toString('latin1');
    }
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8'));
  }

  private skipWhitespace(at: number, end: number): number {
    const bytes = this.bytes;
    while (at < end && WHITESPACE[bytes[at]!] === 1) at++;
    return at;
  }

  /** The end of the value at `at` (whitespace before it already skipped), or -1 when not valid JSON or too deep. */
  private value(at: number, end: number, depth: number): number {
    if (at >= end) return -1;
    const byte = this.bytes[at]!;
    if (byte === QUOTE) return this.string(at, end);
    if (byte === 0x7b) return depth > MAX_DEPTH ? -1 : this.object(at, end, depth + 1, undefined);
    if (byte === 0x5b) return depth > MAX_DEPTH ? -1 : this.array(at, end, depth + 1);
    if (byte === 0x74) return this.literal(at, end, 'true');
    if (byte === 0x66) return this.literal(at, end, 'false');
    if (byte === 0x6e) return this.literal(at, end, 'null');
    return this.number(at, end);
  }

  /** The end of the object at `at`; its members go to `members` when given (and `fields` to fieldMembers at the top). */
  private object(at: number, end: number, depth: number, members: Members | undefined): number {
    const bytes = this.bytes;
    at = this.skipWhitespace(at + 1, end);
    if (at < end && bytes[at] === 0x7d) return at + 1;
    for (;;) {
      if (at >= end || bytes[at] !== QUOTE) return -1;
      this.stringFlags = 0;
      const keyStart = at + 1;
      const keyEnd = this.string(at, end);
      if (keyEnd < 0) return -1;
      const keyFlags = this.stringFlags;
      at = this.skipWhitespace(keyEnd, end);
      if (at >= end || bytes[at] !== 0x3a) return -1;
      const valueStart = this.skipWhitespace(at + 1, end);
      this.stringFlags = 0;
      let valueEnd: number;
      if (members === this.top && bytes[valueStart] === 0x7b && this.fieldsStart < 0 && keyFlags === 0 && this.isKey(keyStart, keyEnd - 1, FIELDS_KEY)) {
        // The compared fields' members are kept as the walk passes them, not found by a second walk.
        this.fieldsStart = valueStart;
        valueEnd = this.object(valueStart, end, depth + 1, this.fieldMembers);
      } else if (members === this.fieldMembers && bytes[valueStart] === QUOTE && keyFlags === 0 && this.isUncheckedKey(keyStart, keyEnd - 1)) {
        // The compared text, most of the line: its bytes are read once, by the normalising scan.
        valueEnd = this.skipUncheckedString(valueStart, end);
        this.stringFlags = FLAG_UNCHECKED;
      } else {
        valueEnd = this.value(valueStart, end, depth);
      }
      if (valueEnd < 0) return -1;
      members?.push(keyStart, keyEnd - 1, keyFlags, valueStart, valueEnd, bytes[valueStart] === QUOTE ? this.stringFlags : 0);
      at = this.skipWhitespace(valueEnd, end);
      if (at >= end) return -1;
      if (bytes[at] === 0x7d) return at + 1;
      if (bytes[at] !== 0x2c) return -1;
      at = this.skipWhitespace(at + 1, end);
    }
  }

  private isUncheckedKey(start: number, end: number): boolean {
    for (const key of this.uncheckedKeys) if (this.isKey(start, end, key)) return true;
    return false;
  }

  /**
   * The end of the string at `at` found by its closing quote alone (the first quote after an even
   * run of backslashes), without checking what lies between. Where the contents are a valid JSON
   * string this is its end; where they are not, normalizeJsonAsciiInto finds the raw control
   * character or bad escape inside the span and the line is parsed instead.
   */
  private skipUncheckedString(at: number, end: number): number {
    const bytes = this.bytes;
    for (let from = at + 1; ; ) {
      const quote = bytes.indexOf(QUOTE, from);
      if (quote < 0 || quote >= end) return -1;
      let backslashes = 0;
      while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++;
      if ((backslashes & 1) === 0) return quote + 1;
      from = quote + 1;
    }
  }

  /** Whether bytes[start, end) are `key`'s bytes. */
  private isKey(start: number, end: number, key: Uint8Array): boolean {
    if (end - start !== key.length) return false;
    const bytes = this.bytes;
    for (let offset = 0; offset < key.length; offset++) if (bytes[start + offset] !== key[offset]) return false;
    return true;
  }

  private array(at: number, end: number, depth: number): number {
    const bytes = this.bytes;
    at = this.skipWhitespace(at + 1, end);
    if (at < end && bytes[at] === 0x5d) return at + 1;
    for (;;) {
      const valueEnd = this.value(at, end, depth);
      if (valueEnd < 0) return -1;
      at = this.skipWhitespace(valueEnd, end);
      if (at >= end) return -1;
      if (bytes[at] === 0x5d) return at + 1;
      if (bytes[at] !== 0x2c) return -1;
      at = this.skipWhitespace(at + 1, end);
    }
  }

  /**
   * The end of the string at `at` (after its closing quote), or -1. Adds to stringFlags: FLAG_ESCAPES
   * for any escape, FLAG_COMPLEX for a `\u` escape or a byte ≥ 0x80.
   */
  private string(at: number, end: number): number {
    const bytes = this.bytes;
    let flags = this.stringFlags;
    at++;
    for (;;) {
      let kind = 0;
      while (at < end && (kind = STRING_CLASS[bytes[at]!]!) === 0) at++;
      if (at >= end || kind === 3) return -1;
      if (kind === 1) {
        this.stringFlags = flags;
        return at + 1;
      }
      if (kind === 4) {
        flags |= FLAG_COMPLEX;
        at++;
        continue;
      }
      const escaped = bytes[at + 1]!;
      if (at + 1 < end && SIMPLE_ESCAPE[escaped] === 1) {
        flags |= FLAG_ESCAPES;
        at += 2;
      } else if (escaped === 0x75 && at + 5 < end && HEX[bytes[at + 2]!] === 1 && HEX[bytes[at + 3]!] === 1 && HEX[bytes[at + 4]!] === 1 && HEX[bytes[at + 5]!] === 1) {
        flags |= FLAG_ESCAPES | FLAG_COMPLEX;
        at += 6;
      } else {
        return -1;
      }
    }
  }

  private literal(at: number, end: number, word: string): number {
    if (at + word.length > end) return -1;
    for (let offset = 0; offset < word.length; offset++) if (this.bytes[at + offset] !== word.charCodeAt(offset)) return -1;
    return at + word.length;
  }

  /** JSON's number grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
  private number(at: number, end: number): number {
    const bytes = this.bytes;
    if (bytes[at] === 0x2d) at++;
    if (at >= end) return -1;
    if (bytes[at] === 0x30) at++;
    else if (isDigit(bytes[at]!)) while (at < end && isDigit(bytes[at]!)) at++;
    else return -1;
    if (at < end && bytes[at] === 0x2e) {
      at++;
      if (at >= end || !isDigit(bytes[at]!)) return -1;
      while (at < end && isDigit(bytes[at]!)) at++;
    }
    if (at < end && (bytes[at] === 0x65 || bytes[at] === 0x45)) {
      at++;
      if (at < end && (bytes[at] === 0x2b || bytes[at] === 0x2d)) at++;
      if (at >= end || !isDigit(bytes[at]!)) return -1;
      while (at < end && isDigit(bytes[at]!)) at++;
    }
    return at;
  }
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/** The UTF-8 bytes of `text` when it is ASCII; undefined otherwise (compared as a decoded string). */
function asciiBytes(text: string): Uint8Array | undefined {
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit >= 0x80) return undefined;
    bytes[index] = unit;
  }
  return bytes;
}

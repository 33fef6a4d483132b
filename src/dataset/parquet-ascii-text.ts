/**
 * Text handed to the Parquet writer as bytes rather than strings: the writer encodes every string
 * it is given into a fresh buffer of its own (one allocation per value), and strings held for a
 * whole row group are copied by each garbage collection; here the bytes go into one arena, handed
 * over as views, valid until the next group starts.
 *
 * Only ASCII text is taken, and a leaf column is handed over all as bytes or all as strings
 * (parquet-column-buffer.ts): the writer sizes a string by its UTF-16 length and a byte array by
 * its byte length, those sizes decide where pages end and whether a dictionary is used, and they
 * agree only for ASCII, so only then is the file the same. Short values stay strings: they are
 * mostly dictionary-encoded, and the writer keys its dictionary by the string, cheaper than by the
 * bytes of each view, and encodes only the distinct ones.
 */
/** A file with little text (or none) takes little: the arena starts small, on its first string. */
const INITIAL_BYTES = 1 << 16;
/** A larger arena (a group of long rows) is let go after its group rather than kept by the writer. */
const KEPT_BYTES = 1 << 26;

const EMPTY = Buffer.alloc(0);

export class AsciiText {
  private buffer = EMPTY;
  private used = 0;

  /** The views of the previous group are no longer read: its bytes may be overwritten. */
  startGroup(): void {
    if (this.buffer.length > KEPT_BYTES) this.buffer = EMPTY;
    this.used = 0;
  }

  /** A string's bytes, or `undefined` when it holds a non-ASCII character. */
  view(text: string): Uint8Array | undefined {
    // Every UTF-16 unit that is not ASCII takes more than one byte (a lone surrogate three), so the
    // UTF-8 size equals the length exactly when the string is ASCII; then its latin1 bytes are its UTF-8.
    if (Buffer.byteLength(text, 'utf8') !== text.length) return undefined;
    if (this.used + text.length > this.buffer.length) this.grow(text.length);
    const written = text.length === 0 ? 0 : this.buffer.write(text, this.used, text.length, 'latin1');
    const view = new Uint8Array(this.buffer.buffer, this.buffer.byteOffset + this.used, written);
    this.used += written;
    return view;
  }

  /** Views already handed out keep the old buffer alive; new ones go to a larger one. */
  private grow(needed: number): void {
    this.buffer = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, needed, INITIAL_BYTES));
    this.used = 0;
  }
}


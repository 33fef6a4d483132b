/**
 * Text columns handed to the Parquet writer as bytes rather than strings. The writer encodes every
 * string it is given into a fresh buffer of its own (one allocation per value, most of the thread's
 * garbage); here a column's strings are written into one shared arena and handed over as views.
 *
 * Only a column whose every value is ASCII is converted. The writer sizes a string by its UTF-16
 * length and a byte array by its byte length, and those sizes decide where pages end and whether a
 * dictionary is used; they agree only for ASCII, so only then are the bytes of the file the same.
 * A column with one other character keeps its strings, and the writer encodes them as before.
 */
const INITIAL_BYTES = 1 << 22;
/** A larger arena (a group of long rows) is let go after its group rather than kept by the thread. */
const KEPT_BYTES = 1 << 26;

export class AsciiText {
  private buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  private used = 0;

  /** The views of the previous group are no longer read: its bytes may be overwritten. */
  startGroup(): void {
    if (this.buffer.length > KEPT_BYTES) this.buffer = Buffer.allocUnsafe(INITIAL_BYTES);
    this.used = 0;
  }

  /**
   * `values` (strings, nulls) as views of their bytes, nulls kept; `undefined` when one of them is
   * not an ASCII string, and then the arena is as it was before the call.
   */
  column(values: readonly unknown[]): (Uint8Array | null | undefined)[] | undefined {
    const buffer = this.buffer;
    const start = this.used;
    const views: (Uint8Array | null | undefined)[] = new Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value === null || value === undefined) {
        views[i] = value;
        continue;
      }
      const view = typeof value === 'string' ? this.view(value) : undefined;
      if (view === undefined) {
        // After a grow the new buffer holds this column's bytes alone.
        this.used = this.buffer === buffer ? start : 0;
        return undefined;
      }
      views[i] = view;
    }
    return views;
  }

  /** A string's bytes, or `undefined` when it holds a non-ASCII character. */
  private view(text: string): Uint8Array | undefined {
    if (this.used + text.length > this.buffer.length) this.grow(text.length);
    // UTF-8 writes whole characters only, and any non-ASCII one takes more than one byte, so the
    // string fits in its own length exactly when it is ASCII.
    const written = text.length === 0 ? 0 : this.buffer.write(text, this.used, text.length, 'utf8');
    if (written !== text.length) return undefined;
    const view = new Uint8Array(this.buffer.buffer, this.buffer.byteOffset + this.used, written);
    this.used += written;
    return view;
  }

  /** Views already handed out keep the old buffer alive; new ones go to a larger one. */
  private grow(needed: number): void {
    this.buffer = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, needed));
    this.used = 0;
  }
}

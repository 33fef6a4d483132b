/** A quoted CSV field whose closing quote is followed by something other than a delimiter or a line end. */
export interface BrokenQuote {
  /** Offsets in the row's raw text of the opening and the closing quote, and what follows the latter. */
  open: number;
  close: number;
  next: string;
}

const QUOTE = '"';

/**
 * Finds the first quoted field of one CSV row (its raw text) that is closed by a quote not followed by
 * the delimiter, a line end or the end of the text. csv-parse with `relax_quotes` takes such a quote
 * as literal text and reads on, so one missing quote swallows the lines that follow into a single
 * field; a row that spans lines and contains one is almost always that accident.
 */
export function findBrokenQuote(raw: string, delimiter: string): BrokenQuote | undefined {
  let index = 0;
  let fieldStart = true;
  while (index < raw.length) {
    const char = raw[index]!;
    if (fieldStart && char === QUOTE) {
      const open = index;
      let searchFrom = index + 1;
      while (true) {
        const close = raw.indexOf(QUOTE, searchFrom);
        if (close === -1) return undefined;
        const after = close + 1;
        if (raw[after] === QUOTE) {
          searchFrom = after + 1;
          continue;
        }
        if (after === raw.length || raw.startsWith(delimiter, after) || raw[after] === '\n' || raw[after] === '\r') {
          index = after;
          break;
        }
        return { open, close, next: raw[after]! };
      }
      fieldStart = false;
      continue;
    }
    if (raw.startsWith(delimiter, index)) {
      fieldStart = true;
      index += delimiter.length;
      continue;
    }
    fieldStart = char === '\n' || char === '\r';
    index += 1;
  }
  return undefined;
}
